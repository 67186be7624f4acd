import { useState } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionWithRuns } from '../../api/types';
import { errorMessage, errorStatus } from '../format';

/** Resumes a finished session with a follow-up prompt, on the same branch and with its saved state. */
export function ResumeDialog(props: {
  open: boolean;
  session: AgentsSessionWithRuns;
  onClose: () => void;
  onResumed: (session: AgentsSessionWithRuns) => void;
}) {
  const { open, session, onClose, onResumed } = props;
  const api = useApi(agentsApiRef);
  const [prompt, setPrompt] = useState('');
  const [promptError, setPromptError] = useState<string>();
  const [requestError, setRequestError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  const submit = async () => {
    setRequestError(undefined);
    if (prompt.trim() === '') {
      setPromptError('Describe what the agent should do next.');
      return;
    }
    if (prompt.length > SESSION_LIMITS.maxPromptLength) {
      setPromptError(
        `At most ${SESSION_LIMITS.maxPromptLength} characters are allowed.`,
      );
      return;
    }
    setSubmitting(true);
    try {
      const resumed = await api.resumeSession(session.id, prompt);
      setPrompt('');
      setPromptError(undefined);
      onResumed(resumed);
    } catch (error) {
      if (errorStatus(error) === 400) setPromptError(errorMessage(error));
      else setRequestError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={submitting ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="agents-resume-title"
    >
      <DialogTitle id="agents-resume-title">
        Resume with a follow-up prompt
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary" paragraph>
          A new run continues on <code>{session.workBranch}</code> with the
          agent's saved state, so it remembers the conversation so far.
        </Typography>
        {requestError && (
          <Alert severity="error" style={{ marginBottom: 16 }}>
            {requestError}
          </Alert>
        )}
        <TextField
          label="Follow-up prompt"
          multiline
          minRows={4}
          maxRows={16}
          fullWidth
          required
          // The dialog exists to take this text: focus it, as the ARIA dialog pattern recommends.
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
          variant="outlined"
          value={prompt}
          onChange={e => {
            setPrompt(e.target.value);
            if (promptError) setPromptError(undefined);
          }}
          error={Boolean(promptError)}
          helperText={promptError ?? ' '}
          disabled={submitting}
          inputProps={{ 'aria-label': 'Follow-up prompt' }}
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={submitting}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={submit}
          disabled={submitting}
          startIcon={submitting ? <CircularProgress size={16} /> : undefined}
        >
          Resume
        </Button>
      </DialogActions>
    </Dialog>
  );
}
