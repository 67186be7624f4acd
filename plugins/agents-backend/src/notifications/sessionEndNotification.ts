import { parseEntityRef } from '@backstage/catalog-model';
import type { SessionStatus, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { sessionPageUrl } from './sessionPageUrl';

type NotificationPayload = NotificationSendOptions['payload'];

/** The topic of every notification of session ends: users can mute it in their notification settings. */
export const SESSION_ENDED_TOPIC = 'agent-sessions';

const OUTCOME: Partial<Record<SessionStatus, { text: string; severity: NotificationPayload['severity'] }>> = {
  succeeded: { text: 'succeeded', severity: 'normal' },
  failed: { text: 'failed', severity: 'high' },
  timed_out: { text: 'timed out', severity: 'high' },
  cancelled: { text: 'was cancelled', severity: 'low' },
};

const STATUS_WORDS: Record<SessionStatus, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  timed_out: 'timed out',
  cancelled: 'cancelled',
  pending: 'pending',
  starting: 'starting',
  running: 'running',
};

/**
 * What the creator of a finished session is told: the outcome on which entity, the pull request or
 * the reason, linked to the session's page. A fan-out's notification stands for its tasks, with how
 * many ended how. The scope is the session, so a resumed session that ends again updates (and marks
 * unread) its one notification instead of adding another, and a repeated send adds no second one.
 */
export function sessionEndNotification(
  session: SessionWithRuns,
  appBaseUrl: string,
): NotificationPayload {
  const outcome = OUTCOME[session.status];
  if (!outcome) throw new Error(`Session ${session.id} has not ended (${session.status})`);
  const entity = entityName(session.entityRef);
  const base = {
    link: sessionPageUrl(appBaseUrl, session.id),
    severity: outcome.severity,
    topic: SESSION_ENDED_TOPIC,
    scope: `agents-session:${session.id}`,
  };
  if (session.kind === 'fanout') {
    const total = session.children?.total ?? 0;
    return {
      ...base,
      title: `Fan-out ${outcome.text} on ${entity}: ${total} task${total === 1 ? '' : 's'}`,
      description: joinParts(
        taskCounts(session.children?.byStatus ?? {}),
        session.waveError && `Later waves did not start: ${session.waveError}`,
        quote(session.prompt),
      ),
    };
  }
  return {
    ...base,
    title: `Agent session ${outcome.text} on ${entity}`,
    description: joinParts(outcomeDetail(session), quote(session.prompt)),
  };
}

/** The pull request of a success, the reason of a failure or timeout; a cancel needs none. */
function outcomeDetail(session: SessionWithRuns): string | undefined {
  if (session.status === 'succeeded') return session.prUrl && `Pull request: ${session.prUrl}`;
  if (session.status === 'cancelled') return undefined;
  const run = session.runs[session.runs.length - 1];
  return `Reason: ${run?.reason ?? session.summary ?? 'none was recorded'}`;
}

function entityName(entityRef: string): string {
  try {
    return parseEntityRef(entityRef).name;
  } catch {
    return entityRef;
  }
}

/** "3 succeeded, 1 failed, 1 timed out", in the status model's order. */
function taskCounts(byStatus: Partial<Record<SessionStatus, number>>): string | undefined {
  const parts = Object.entries(STATUS_WORDS)
    .filter(([status]) => (byStatus[status as SessionStatus] ?? 0) > 0)
    .map(([status, word]) => `${byStatus[status as SessionStatus]} ${word}`);
  return parts.length ? `Tasks: ${parts.join(', ')}` : undefined;
}

function quote(prompt: string): string {
  const line = prompt.trim().split('\n')[0];
  return `Prompt: “${line.length > 120 ? `${line.slice(0, 119)}…` : line}”`;
}

/** Parts joined without punctuation of ours, which would run into a URL at a part's end. */
function joinParts(...parts: Array<string | undefined | false>): string {
  return parts.filter((part): part is string => !!part).join(' · ');
}
