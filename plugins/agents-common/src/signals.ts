import type { SessionStatus } from './types';

/** The Backstage signals channel on which the backend announces session status changes. */
export const SESSIONS_SIGNAL_CHANNEL = 'agents:sessions';

/**
 * A message on {@link SESSIONS_SIGNAL_CHANNEL}: a session's new status. It names the session's entity
 * and fan-out so that a view reloads only for the sessions it shows; the view then reads the session
 * itself, with the user's permissions.
 */
export type SessionStatusSignal = {
  sessionId: string;
  status: SessionStatus;
  entityRef: string;
  /** The fan-out the session is a task of. */
  parentSessionId?: string;
};
