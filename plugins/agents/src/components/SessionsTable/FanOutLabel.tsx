import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import CallSplitIcon from '@material-ui/icons/CallSplit';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { AgentsSession } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import { fanOutProgress, isFanOut, taskCount } from '../fanOut';
import { firstLine } from '../format';
import { currentWaveOf, runsInWaves } from '../waves';
import { wrappingRow } from '../wrappingRow';

const useStyles = makeStyles(theme => ({
  root: { ...wrappingRow(theme), marginTop: theme.spacing(0.5) },
  bar: { width: 64, height: 6, borderRadius: 3 },
  task: { fontFamily: 'monospace', fontSize: '0.9em' },
  failed: { color: theme.palette.error.main },
}));

/**
 * Under a row's prompt, what ties it to a fan-out: on a fan-out, "fan-out · 12 tasks" and its progress
 * (and its wave, when it runs in waves); on one of its tasks, the task id (and wave) and a link to the
 * fan-out. Nothing for other sessions. This keeps a list that holds a fan-out of 50 tasks readable.
 */
export function FanOutLabel(props: {
  session: AgentsSession;
  /** The session's fan-out, when it is on the same page (its prompt names the link). */
  parent?: AgentsSession;
}) {
  const { session, parent } = props;
  const classes = useStyles();
  const sessionLink = useRouteRef(sessionRouteRef);

  if (isFanOut(session)) {
    const { total, finished } = fanOutProgress(session.children);
    return (
      <div className={classes.root} data-testid="fanout-label">
        <Chip
          size="small"
          variant="outlined"
          icon={<CallSplitIcon fontSize="small" />}
          label={`fan-out · ${taskCount(total)}`}
        />
        {total > 0 && (
          <>
            <LinearProgress
              variant="determinate"
              value={(finished / total) * 100}
              className={classes.bar}
              aria-label={`${finished} of ${total} finished`}
            />
            <Typography variant="caption" color="textSecondary">
              {finished}/{total} finished
            </Typography>
          </>
        )}
        {runsInWaves(session) && (
          <Typography
            variant="caption"
            color="textSecondary"
            className={session.waveError ? classes.failed : undefined}
            title={session.waveError}
            data-testid="fanout-label-wave"
          >
            wave {currentWaveOf(session)}
            {session.waveError ? ' failed' : ''}
          </Typography>
        )}
      </div>
    );
  }

  if (!session.parentSessionId) return null;
  return (
    <div className={classes.root} data-testid="fanout-child-label">
      <Typography variant="caption" color="textSecondary">
        {session.origin.taskId && (
          <>
            <span className={classes.task}>{session.origin.taskId}</span>
            {' · '}
          </>
        )}
        {session.wave !== undefined && <>wave {session.wave} · </>}
        part of{' '}
        <Link
          to={sessionLink({ sessionId: session.parentSessionId })}
          title={parent ? firstLine(parent.prompt) : undefined}
        >
          fan-out
        </Link>
      </Typography>
    </div>
  );
}
