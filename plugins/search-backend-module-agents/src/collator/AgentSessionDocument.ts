import type {
  AgentsSession,
  HarnessName,
  PullRequestState,
  SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { IndexableDocument } from '@backstage/plugin-search-common';

/** The search document type of agent sessions. */
export const AGENT_SESSION_DOCUMENT_TYPE = 'agent-session';

/**
 * An agent session as a search document. `authorization.resourceRef` is the session id, so the search
 * backend checks `agents.session.read` for each result against the `agents-session` resource type.
 *
 * @public
 */
export interface AgentSessionDocument extends IndexableDocument {
  entityRef: string;
  /** The entity's owner when the session was created. */
  owner?: string;
  status: SessionStatus;
  harness: HarnessName;
  createdBy: string;
  createdAt: string;
  finishedAt?: string;
  workBranch: string;
  prUrl?: string;
  prState?: PullRequestState;
  authorization: { resourceRef: string };
}

/** The first non-blank line of a prompt, bounded, as a result's title. */
export function promptTitle(prompt: string, maxLength = 200): string {
  const line =
    prompt
      .split(/\r?\n/)
      .map(l => l.trim())
      .find(l => l.length > 0) ?? '';
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

/** The search document of one session, as the agents API returns it. */
export function toAgentSessionDocument(session: AgentsSession): AgentSessionDocument {
  const text = [
    session.prompt,
    session.summary,
    `Harness: ${session.harness}`,
    `Branch: ${session.workBranch}`,
    session.prUrl ? `Pull request: ${session.prUrl}` : undefined,
  ]
    .filter((part): part is string => !!part)
    .join('\n\n');
  return {
    title: promptTitle(session.prompt) || `Session ${session.id}`,
    text,
    location: `/agents/sessions/${encodeURIComponent(session.id)}`,
    entityRef: session.entityRef,
    owner: session.entityOwnerRef,
    status: session.status,
    harness: session.harness,
    createdBy: session.createdBy,
    createdAt: session.createdAt,
    finishedAt: session.finishedAt,
    workBranch: session.workBranch,
    prUrl: session.prUrl,
    prState: session.prState,
    authorization: { resourceRef: session.id },
  };
}
