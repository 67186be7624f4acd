import { useEffect, useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import { useApi } from '@backstage/core-plugin-api';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type {
  AgentsHarnessName,
  AgentsLaunchPolicy,
  AgentsSessionWithRuns,
} from '../../api/types';
import { harnessLabel } from '../format';
import { PromptDialog } from '../PromptDialog';
import { PromptField } from '../PromptField';
import { usePromptForm } from '../usePromptForm';
import { PolicySummary } from './PolicySummary';

const useStyles = makeStyles(theme => ({
  field: { marginBottom: theme.spacing(2) },
}));

const MESSAGES = {
  empty: 'Describe what the agent should do.',
  tooLong: (length: number) =>
    `The prompt is ${length} characters long; at most ${SESSION_LIMITS.maxPromptLength} are allowed.`,
};

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
  const [harness, setHarness] = useState<AgentsHarnessName>(
    policy.defaultHarness,
  );
  // The backend answers 400 with the reason (blank prompt, no Git source, ...): shown by the prompt.
  const form = usePromptForm({
    messages: MESSAGES,
    send: prompt => api.createSession({ entityRef, prompt, harness }),
    onSent: onCreated,
  });

  const { clearErrors } = form;
  useEffect(() => {
    if (open) {
      clearErrors();
      setHarness(policy.defaultHarness);
    }
  }, [open, policy.defaultHarness, clearErrors]);

  const harnesses = policy.allowedHarnesses.length
    ? policy.allowedHarnesses
    : [policy.defaultHarness];

  return (
    <PromptDialog
      open={open}
      onClose={onClose}
      form={form}
      titleId="agents-new-session-title"
      title="New agent session"
      intro="The agent works on a new branch of this component's repository in an isolated pod and pushes its changes; you can follow its log live, cancel it, or resume it later with a follow-up prompt."
      submitLabel="Start session"
    >
      <PromptField
        form={form}
        className={classes.field}
        label="Prompt"
        placeholder="What should the agent do? For example: Add input validation to the refund endpoint and cover it with tests."
        hint="Markdown is fine. The first line becomes the session's title."
        minRows={6}
        maxRows={20}
      />
      <TextField
        className={classes.field}
        select
        label="Harness"
        variant="outlined"
        fullWidth
        value={harness}
        onChange={e => setHarness(e.target.value as AgentsHarnessName)}
        disabled={form.submitting}
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
    </PromptDialog>
  );
}
