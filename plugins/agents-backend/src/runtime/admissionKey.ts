import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';

/**
 * What a session's admission depends on: its policy (the caps and the global count), its entity and
 * its entity's owner (the per-entity, per-owner and budget counts). When a pending session is held
 * back, a newer pending session with the same key is held back too (the same counts, and one more
 * waiting ahead of it), so a pass over the queue offers a launch to one refused session per key
 * rather than to every one of them: with hundreds queued, each offer is a transaction under the
 * admission lock.
 */
export function admissionKey(session: SessionWithRuns): string {
  return JSON.stringify([session.policy.name, session.entityRef, session.entityOwnerRef ?? null]);
}
