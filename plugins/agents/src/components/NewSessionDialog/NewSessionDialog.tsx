import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { useApi } from '@backstage/core-plugin-api';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type {
  AgentsHarnessName,
  AgentsLaunchPolicy,
  AgentsSessionWithRuns,
} from '../../api/types';
import { errorMessage, errorStatus, harnessLabel } from '../format';
import { PolicySummary } from './PolicySummary';

const useStyles = makeStyles(theme => ({
  field: { marginBottom: theme.spacing(2) },
}));

export type NewSessionDialogProps = {
  open: boolean;
  entityRef: string;
  policy: AgentsLaunchPolicy;
  onClose: () => void;
  onCreated: (session: AgentsSessionWithRuns) => void;
};

/** Starts a session: a prompt, a harness the policy allows, and the policy shown read-only. */
export function NewSessionDialog(props: NewSessionDialogProps) {
  const { open, entityRef, policy, onClose, onCreated } = props;
  const classes = useStyles();
  const api = useApi(agentsApiRef);
  const [prompt, setPrompt] = useState('');
  const [harness, setHarness] = useState<AgentsHarnessName>(
    policy.defaultHarness,
  );
  const [promptError, setPromptError] = useState<string>();
  const [requestError, setRequestError] = useState<string>();
  const [submitting, setSubmitting] = useState(false);

  useEffect(() => {
    if (open) {
      setPromptError(undefined);
      setRequestError(undefined);
      setHarness(policy.defaultHarness);
    }
  }, [open, policy.defaultHarness]);

  const validate = (): string | undefined => {
    if (prompt.trim() === '') return 'Describe what the agent should do.';
    if (prompt.length > SESSION_LIMITS.maxPromptLength) {
      return `The prompt is ${prompt.length} characters long; at most ${SESSION_LIMITS.maxPromptLength} are allowed.`;
    }
    return undefined;
  };

  const submit = async () => {
    const invalid = validate();
    setPromptError(invalid);
    setRequestError(undefined);
    if (invalid) return;
    setSubmitting(true);
    try {
      const session = await api.createSession({ entityRef, prompt, harness });
      setPrompt('');
      onCreated(session);
    } catch (error) {
      // The backend answers 400 with the reason (blank prompt, no Git source, ...): show it by the prompt.
      if (errorStatus(error) === 400) setPromptError(errorMessage(error));
      else setRequestError(errorMessage(error));
    } finally {
      setSubmitting(false);
    }
  };

  const harnesses = policy.allowedHarnesses.length
    ? policy.allowedHarnesses
    : [policy.defaultHarness];

  return (
    <Dialog
      open={open}
      onClose={submitting ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="agents-new-session-title"
    >
      <DialogTitle id="agents-new-session-title">New agent session</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary" paragraph>
          The agent works on a new branch of this component's repository in an
          isolated pod and pushes its changes; you can follow its log live,
          cancel it, or resume it later with a follow-up prompt.
        </Typography>
        {requestError && (
          <Alert severity="error" className={classes.field}>
            {requestError}
          </Alert>
        )}
        <TextField
          className={classes.field}
          label="Prompt"
          placeholder="What should the agent do? For example: Add input validation to the refund endpoint and cover it with tests."
          multiline
          minRows={6}
          maxRows={20}
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
          helperText={
            promptError ??
            "Markdown is fine. The first line becomes the session's title."
          }
          disabled={submitting}
          inputProps={{ 'aria-label': 'Prompt' }}
        />
        <TextField
          className={classes.field}
          select
          label="Harness"
          variant="outlined"
          fullWidth
          value={harness}
          onChange={e => setHarness(e.target.value as AgentsHarnessName)}
          disabled={submitting}
          helperText="The coding agent that runs the prompt."
          SelectProps={{
            SelectDisplayProps: { 'aria-label': 'Harness' } as any,
          }}
        >
          {harnesses.map(h => (
            <MenuItem key={h} value={h}>
              {harnessLabel(h)}
              {h === policy.defaultHarness ? ' — default' : ''}
            </MenuItem>
          ))}
        </TextField>
        <PolicySummary policy={policy} />
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
          Start session
        </Button>
      </DialogActions>
    </Dialog>
  );
}
