import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { AgentsLaunchPolicy } from '../../api/types';
import { formatTimeout } from '../format';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(0.5),
    margin: 0,
  },
  term: { color: theme.palette.text.secondary },
  value: { margin: 0 },
}));

/** The policy a new session runs under, read-only: the platform team sets it, not the user. */
export function PolicySummary(props: { policy: AgentsLaunchPolicy }) {
  const classes = useStyles();
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
      <dl className={classes.list}>
        {rows.map(([term, value]) => (
          <div key={term} style={{ display: 'contents' }}>
            <dt className={classes.term}>{term}</dt>
            <dd className={classes.value}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
