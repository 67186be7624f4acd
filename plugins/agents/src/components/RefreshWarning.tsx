import { WarningPanel } from '@backstage/core-components';
import { errorMessage } from './format';

/**
 * Says that a refresh failed while the last data loaded stays on screen (a first load that fails
 * shows a `ResponseErrorPanel` instead). Nothing without an error.
 */
export function RefreshWarning(props: { title: string; error?: Error }) {
  const { title, error } = props;
  if (!error) return null;
  return (
    <WarningPanel
      severity="warning"
      title={title}
      message={errorMessage(error)}
    />
  );
}
