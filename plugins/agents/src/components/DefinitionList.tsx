import type { ReactNode } from 'react';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(1),
    margin: 0,
    alignItems: 'baseline',
  },
  dense: { rowGap: theme.spacing(0.5) },
  term: { color: theme.palette.text.secondary },
  value: { margin: 0, overflowWrap: 'anywhere' },
}));

/** Terms and their values side by side, as a `<dl>` (each value has the ARIA role `definition`). */
export function DefinitionList(props: {
  rows: [term: string, value: ReactNode][];
  /** Less space between rows, for a short summary. */
  dense?: boolean;
}) {
  const classes = useStyles();
  return (
    <dl
      className={
        props.dense ? `${classes.list} ${classes.dense}` : classes.list
      }
    >
      {props.rows.map(([term, value]) => (
        // `display: contents` keeps each pair in the grid while giving React one keyed element.
        <div key={term} style={{ display: 'contents' }}>
          <dt className={classes.term}>{term}</dt>
          <dd className={classes.value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
