import type { Session, SessionStatus, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { SessionRow } from './sessionRows';

/**
 * A status a write has set, with what views filter announcements on. Callers publish it: a write to
 * a fan-out's task may also move the fan-out, whose status is derived from its tasks.
 */
export type SessionStatusChange = Pick<Session, 'id' | 'status' | 'entityRef' | 'parentSessionId'>;

/**
 * Hears every status a committed write set, in order: the one place statuses are announced from, so
 * no writer can forget to (the plugin passes the session event hub's `publishStatus`).
 */
export type StatusChangeListener = (changes: SessionStatusChange[]) => void;

/** A session as a write left it, and every status that write set: the session's, then its fan-out's. */
export interface Transitioned {
  session: SessionWithRuns;
  changes: SessionStatusChange[];
}

/** The change a write made to the status of the session in `row`. */
export function statusChange(row: SessionRow, status: SessionStatus): SessionStatusChange {
  return {
    id: row.id,
    status,
    entityRef: row.entity_ref,
    parentSessionId: row.parent_session_id ?? undefined,
  };
}

/** A session as events describe it, for a change that left its status as it was. */
export function sessionChangeOf(session: Session): SessionStatusChange {
  const { id, status, entityRef, parentSessionId } = session;
  return { id, status, entityRef, parentSessionId };
}
