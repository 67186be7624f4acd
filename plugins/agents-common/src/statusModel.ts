import type { SessionStatus } from './types';

/** Every session (and run) status, in lifecycle order. */
export const SESSION_STATUSES: readonly SessionStatus[] = [
  'pending',
  'starting',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

/** The statuses of a session that has not finished: waiting, being started, or running. */
export const ACTIVE_STATUSES: readonly SessionStatus[] = ['pending', 'starting', 'running'];

/** The statuses a session cannot leave except by being resumed. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

/**
 * The one place that says which status changes are allowed.
 *
 * `pending → starting → running → (succeeded | failed | cancelled | timed_out)`; a session that has not
 * finished can be cancelled or fail at any step; a finished one goes back to `pending` when resumed.
 */
const TRANSITIONS: Record<SessionStatus, readonly SessionStatus[]> = {
  pending: ['starting', 'failed', 'cancelled'],
  starting: ['running', 'succeeded', 'failed', 'cancelled', 'timed_out'],
  running: ['succeeded', 'failed', 'cancelled', 'timed_out'],
  succeeded: ['pending'],
  failed: ['pending'],
  cancelled: ['pending'],
  timed_out: ['pending'],
};

/** @public */
export function isSessionStatus(value: unknown): value is SessionStatus {
  return (SESSION_STATUSES as readonly unknown[]).includes(value);
}

/** @public */
export function isTerminalStatus(status: SessionStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** @public */
export function allowedTransitions(
  from: SessionStatus,
): readonly SessionStatus[] {
  return TRANSITIONS[from];
}

/** @public */
export function canTransition(from: SessionStatus, to: SessionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** A session can be cancelled while it has not finished. */
export function canCancel(status: SessionStatus): boolean {
  return canTransition(status, 'cancelled');
}

/** A session can be resumed with a follow-up prompt once it has finished. */
export function canResume(status: SessionStatus): boolean {
  return canTransition(status, 'pending');
}

/** Thrown by {@link assertTransition}; carries both ends so callers can answer 409 with them. */
export class InvalidTransitionError extends Error {
  readonly from: SessionStatus;
  readonly to: SessionStatus;

  constructor(from: SessionStatus, to: SessionStatus) {
    const allowed = TRANSITIONS[from];
    super(
      `A ${from} session cannot become ${to}; from ${from} it can only become ${
        allowed.length ? allowed.join(', ') : 'nothing'
      }`,
    );
    this.name = 'InvalidTransitionError';
    this.from = from;
    this.to = to;
  }
}

/** @public */
export function assertTransition(from: SessionStatus, to: SessionStatus): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(from, to);
  }
}

/**
 * The status of a fan-out session, from its children's: `pending` until one of them has started,
 * `running` while any is unfinished, then `failed` if any failed or timed out, else `cancelled` if
 * any was cancelled, else `succeeded`. A fan-out runs nothing itself, so this is its only source of
 * status; it is derived, not transitioned, and may go back to `running` when a child is resumed or added.
 */
export function fanOutStatus(
  byStatus: Partial<Record<SessionStatus, number>>,
): SessionStatus {
  const n = (status: SessionStatus) => byStatus[status] ?? 0;
  const unfinished = n('pending') + n('starting') + n('running');
  const finished = TERMINAL_STATUSES.reduce((sum, s) => sum + n(s), 0);
  if (unfinished > 0) {
    return unfinished === n('pending') && finished === 0 ? 'pending' : 'running';
  }
  if (finished === 0) return 'pending';
  if (n('failed') + n('timed_out') > 0) return 'failed';
  if (n('cancelled') > 0) return 'cancelled';
  return 'succeeded';
}
