import Typography from '@material-ui/core/Typography';
import Tooltip from '@material-ui/core/Tooltip';
import { makeStyles } from '@material-ui/core/styles';
import Timeline from '@material-ui/lab/Timeline';
import TimelineConnector from '@material-ui/lab/TimelineConnector';
import TimelineContent from '@material-ui/lab/TimelineContent';
import TimelineDot from '@material-ui/lab/TimelineDot';
import TimelineItem from '@material-ui/lab/TimelineItem';
import TimelineSeparator from '@material-ui/lab/TimelineSeparator';
import type { AgentsHarnessRun } from '../../api/types';
import {
  describeUsage,
  durationOf,
  firstLine,
  formatRelative,
  formatTimestamp,
  formatUsage,
} from '../format';
import { SessionStatusChip } from '../SessionStatusChip';
import { wrappingRow } from '../wrappingRow';

const useStyles = makeStyles(theme => ({
  timeline: { padding: 0, margin: 0 },
  item: { '&:before': { display: 'none' } },
  content: { paddingTop: 2, paddingBottom: theme.spacing(2) },
  heading: wrappingRow(theme),
  prompt: { marginTop: theme.spacing(0.5) },
  meta: { color: theme.palette.text.secondary },
}));

const KIND_LABELS: Record<string, string> = {
  initial: 'first run',
  resume: 'resume',
  retry: 'retry',
};

function dotColor(phase: string): 'grey' | 'primary' | 'secondary' | 'inherit' {
  if (phase === 'succeeded') return 'primary';
  if (phase === 'failed' || phase === 'timed_out') return 'secondary';
  return 'grey';
}

function runSummary(run: AgentsHarnessRun): string | undefined {
  const summary = run.result?.summary;
  return typeof summary === 'string' ? summary : undefined;
}

/** The session's runs, oldest first: each attempt or resume with its prompt, phase and outcome. */
export function RunTimeline(props: { runs: AgentsHarnessRun[] }) {
  const classes = useStyles();
  if (props.runs.length === 0) {
    return <Typography color="textSecondary">No run yet.</Typography>;
  }
  return (
    <Timeline className={classes.timeline} aria-label="Runs">
      {props.runs.map((run, index) => {
        const details: string[] = [];
        if (run.startedAt)
          details.push(`started ${formatRelative(run.startedAt)}`);
        else details.push(`queued ${formatRelative(run.createdAt)}`);
        if (run.finishedAt || run.startedAt)
          details.push(`took ${durationOf(run)}`);
        if (run.exitCode !== undefined)
          details.push(`exit code ${run.exitCode}`);
        const summary = runSummary(run);
        return (
          <TimelineItem key={run.id} className={classes.item} data-testid="run">
            <TimelineSeparator>
              <TimelineDot color={dotColor(run.phase)} variant="outlined" />
              {index < props.runs.length - 1 && <TimelineConnector />}
            </TimelineSeparator>
            <TimelineContent className={classes.content}>
              <div className={classes.heading}>
                <Typography variant="subtitle2">
                  Run {run.attempt} · {KIND_LABELS[run.kind] ?? run.kind}
                </Typography>
                <SessionStatusChip status={run.phase} />
              </div>
              <Typography
                variant="body2"
                className={classes.prompt}
                title={run.prompt}
              >
                {firstLine(run.prompt)}
              </Typography>
              <Tooltip
                title={[
                  `Created ${formatTimestamp(run.createdAt)}`,
                  run.startedAt && `Started ${formatTimestamp(run.startedAt)}`,
                  run.finishedAt &&
                    `Finished ${formatTimestamp(run.finishedAt)}`,
                  run.podName &&
                    `Pod ${run.namespace ? `${run.namespace}/` : ''}${
                      run.podName
                    }`,
                ]
                  .filter(Boolean)
                  .join(' · ')}
              >
                <Typography
                  variant="caption"
                  className={classes.meta}
                  component="p"
                >
                  {details.join(' · ')}
                </Typography>
              </Tooltip>
              {run.usage && (
                <Tooltip title={describeUsage(run.usage)}>
                  <Typography
                    variant="caption"
                    className={classes.meta}
                    component="p"
                    data-testid="run-usage"
                  >
                    {formatUsage(run.usage)}
                  </Typography>
                </Tooltip>
              )}
              {run.reason && (
                <Typography variant="caption" color="error" component="p">
                  {run.reason}
                </Typography>
              )}
              {summary && (
                <Typography variant="caption" component="p">
                  {summary}
                </Typography>
              )}
            </TimelineContent>
          </TimelineItem>
        );
      })}
    </Timeline>
  );
}
