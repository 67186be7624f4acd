import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { FanOutProgressCounts } from '../fanOut';
import { taskCount } from '../fanOut';
import { SessionStatusChip } from '../SessionStatusChip';
import { wrappingRow } from '../wrappingRow';

const useStyles = makeStyles(theme => ({
  bar: { height: 8, borderRadius: 4, margin: theme.spacing(1, 0, 2) },
  counts: wrappingRow(theme, 2),
  count: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
}));

/**
 * Where a fan-out stands: finished of total as text and bar, then how many tasks are in each status;
 * for a fan-out that runs in waves, which wave it is at.
 */
export function FanOutProgress(props: {
  progress: FanOutProgressCounts;
  waves?: { current: number; total: number };
}) {
  const { total, finished, counts } = props.progress;
  const { waves } = props;
  const classes = useStyles();
  if (total === 0) {
    return (
      <Typography color="textSecondary">
        No task sessions yet: they appear here as they are created.
      </Typography>
    );
  }
  return (
    <Box>
      <Typography variant="h6" component="p" data-testid="fanout-finished">
        {finished} of {taskCount(total)} finished
      </Typography>
      {waves && (
        <Typography color="textSecondary" data-testid="fanout-wave">
          Wave {waves.current} of {waves.total}
        </Typography>
      )}
      <LinearProgress
        variant="determinate"
        value={(finished / total) * 100}
        className={classes.bar}
        aria-label={`${finished} of ${total} finished`}
      />
      <div className={classes.counts}>
        {counts.map(({ status, count }) => (
          <span
            key={status}
            className={classes.count}
            data-testid="fanout-count"
            data-status={status}
          >
            <SessionStatusChip status={status} />
            <Typography variant="body2" component="span">
              {count}
            </Typography>
          </span>
        ))}
      </div>
    </Box>
  );
}
