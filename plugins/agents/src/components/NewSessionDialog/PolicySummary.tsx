import Typography from '@material-ui/core/Typography';
import type { AgentsLaunchPolicy } from '../../api/types';
import { DefinitionList } from '../DefinitionList';
import { formatTimeout } from '../format';

/** The policy a new session runs under, read-only: the platform team sets it, not the user. */
export function PolicySummary(props: { policy: AgentsLaunchPolicy }) {
  const { policy } = props;
  const rows: [string, string][] = [
    ['Policy', policy.name],
    ['Network egress', policy.egressProfile],
    ['Timeout', formatTimeout(policy.timeoutSeconds)],
    ['CPU', policy.resources.cpu],
    ['Memory', policy.resources.memory],
    [
      'Pull request',
      policy.draftPullRequest ? 'opened as a draft' : 'opened ready for review',
    ],
  ];
  if (policy.maxConcurrentPerEntity !== undefined) {
    rows.push([
      'Concurrent sessions per component',
      String(policy.maxConcurrentPerEntity),
    ]);
  }
  if (policy.runtimeClassName)
    rows.push(['Runtime class', policy.runtimeClassName]);
  return (
    <section aria-label="Policy">
      <Typography variant="subtitle2" gutterBottom>
        Applies to this session
      </Typography>
      <DefinitionList rows={rows} dense />
    </section>
  );
}
