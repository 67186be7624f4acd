import { useApi } from '@backstage/core-plugin-api';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionWithRuns } from '../../api/types';
import { PromptDialog } from '../PromptDialog';
import { PromptField } from '../PromptField';
import { usePromptForm } from '../usePromptForm';

const MESSAGES = {
  empty: 'Describe what the agent should do next.',
  tooLong: () =>
    `At most ${SESSION_LIMITS.maxPromptLength} characters are allowed.`,
};

/** Resumes a finished session with a follow-up prompt, on the same branch and with its saved state. */
export function ResumeDialog(props: {
  open: boolean;
  session: AgentsSessionWithRuns;
  onClose: () => void;
  onResumed: (session: AgentsSessionWithRuns) => void;
}) {
  const { open, session, onClose, onResumed } = props;
  const api = useApi(agentsApiRef);
  const form = usePromptForm({
    messages: MESSAGES,
    send: prompt => api.resumeSession(session.id, prompt),
    onSent: onResumed,
  });

  return (
    <PromptDialog
      open={open}
      onClose={onClose}
      form={form}
      titleId="agents-resume-title"
      title="Resume with a follow-up prompt"
      intro={
        <>
          A new run continues on <code>{session.workBranch}</code> with the
          agent's saved state, so it remembers the conversation so far.
        </>
      }
      submitLabel="Resume"
    >
      <PromptField
        form={form}
        label="Follow-up prompt"
        hint=" "
        minRows={4}
        maxRows={16}
      />
    </PromptDialog>
  );
}
