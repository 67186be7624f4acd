import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ReplayIcon from '@material-ui/icons/Replay';
import StopIcon from '@material-ui/icons/Stop';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  agentsSessionCancelPermission,
  agentsSessionResumePermission,
  canCancel,
  canResume,
} from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionWithRuns } from '../../api/types';
import { fanOutProgress, isFanOut, taskCount } from '../fanOut';
import { errorMessage } from '../format';
import { wrappingRow } from '../wrappingRow';
import { ResumeDialog } from './ResumeDialog';

const useStyles = makeStyles(theme => ({
  root: wrappingRow(theme),
}));

/** What cancelling a fan-out does, with how many of its tasks it stops. */
function cancelFanOutText(session: AgentsSessionWithRuns): string {
  const { total, finished } = fanOutProgress(session.children);
  const stopped = `${total - finished} of ${taskCount(total)}`;
  return (
    `Every task session of this fan-out that has not finished (${stopped}) is cancelled. ` +
    'What they have pushed so far stays on their branches, and each one can be resumed later ' +
    'from its own page.'
  );
}

/**
 * Cancel (while the session has not finished) and Resume (once it has), each offered only when the
 * status allows it and the permission policy grants it for this session; otherwise a short reason.
 * A fan-out is cancelled as a whole (the backend cancels its unfinished tasks) but never resumed: the
 * API refuses, its task sessions are resumed one by one instead.
 */
export function SessionActions(props: {
  session: AgentsSessionWithRuns;
  onChanged: (session: AgentsSessionWithRuns) => void;
}) {
  const { session, onChanged } = props;
  const classes = useStyles();
  const api = useApi(agentsApiRef);
  const cancelPermission = usePermission({
    permission: agentsSessionCancelPermission,
    resourceRef: session.id,
  });
  const resumePermission = usePermission({
    permission: agentsSessionResumePermission,
    resourceRef: session.id,
  });
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [resumeOpen, setResumeOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const fanOut = isFanOut(session);
  const what = fanOut ? 'fan-out' : 'session';
  const cancellable = canCancel(session.status);
  const resumable = !fanOut && canResume(session.status);

  const cancel = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onChanged(await api.cancelSession(session.id));
      setConfirmCancel(false);
    } catch (e) {
      setError(errorMessage(e));
      setConfirmCancel(false);
    } finally {
      setBusy(false);
    }
  };

  const denied: string[] = [];
  if (cancellable && !cancelPermission.loading && !cancelPermission.allowed) {
    denied.push(`You are not allowed to cancel this ${what}.`);
  }
  if (resumable && !resumePermission.loading && !resumePermission.allowed) {
    denied.push('You are not allowed to resume this session.');
  }

  return (
    <div className={classes.root}>
      {cancellable && cancelPermission.allowed && (
        <Button
          variant="outlined"
          startIcon={<StopIcon />}
          onClick={() => setConfirmCancel(true)}
          disabled={busy}
        >
          Cancel {what}
        </Button>
      )}
      {resumable && resumePermission.allowed && (
        <Button
          variant="contained"
          color="primary"
          startIcon={<ReplayIcon />}
          onClick={() => setResumeOpen(true)}
          disabled={busy}
        >
          Resume
        </Button>
      )}
      {fanOut && !cancellable && (
        <Typography variant="body2" color="textSecondary">
          A fan-out is not resumed as a whole: resume its task sessions from
          their own pages.
        </Typography>
      )}
      {denied.map(text => (
        <Typography
          key={text}
          variant="body2"
          color="textSecondary"
          data-testid="action-denied"
        >
          {text}
        </Typography>
      ))}
      {error && <Alert severity="error">{error}</Alert>}

      <Dialog
        open={confirmCancel}
        onClose={busy ? undefined : () => setConfirmCancel(false)}
      >
        <DialogTitle>Cancel this {what}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            {fanOut ? (
              cancelFanOutText(session)
            ) : (
              <>
                The agent's pod is stopped. What it has pushed so far stays on{' '}
                {session.workBranch}, and you can resume the session later with
                a follow-up prompt.
              </>
            )}
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirmCancel(false)} disabled={busy}>
            Keep running
          </Button>
          <Button
            color="secondary"
            variant="contained"
            onClick={cancel}
            disabled={busy}
          >
            Cancel {what}
          </Button>
        </DialogActions>
      </Dialog>
      {resumeOpen && (
        <ResumeDialog
          open={resumeOpen}
          session={session}
          onClose={() => setResumeOpen(false)}
          onResumed={resumed => {
            setResumeOpen(false);
            onChanged(resumed);
          }}
        />
      )}
    </div>
  );
}
