import type { Theme } from '@material-ui/core/styles';

/** The style of a row of small items (buttons, chips, captions) that wraps on a narrow screen. */
export function wrappingRow(theme: Theme, gap = 1) {
  return {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(gap),
  } as const;
}
