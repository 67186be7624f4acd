import type { AgentsPolicy, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { SessionStore } from '../database/SessionStore';

/**
 * Holds sessions back while their policy's concurrency caps are reached: per entity
 * (`maxConcurrentPerEntity`) and across the installation for the policy (`maxConcurrentGlobal`).
 * A held session stays `pending` (shown as queued) and starts, oldest first, when a slot frees:
 * a session may start only if the runs already active plus the older sessions still waiting in
 * the same scope leave it a slot. Checks and claims are serialized in this process, so a burst of
 * launches cannot overshoot a cap; across replicas, launches go through the reconciler's single
 * lease holder once queued.
 */
export class ConcurrencyGate {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly store: SessionStore) {}

  /** Runs `claim` if the session may start now; otherwise resolves to 'queued' without running it. */
  admit<T>(session: SessionWithRuns, claim: () => Promise<T>): Promise<T | 'queued'> {
    const turn = this.queue.then(async () => {
      const policy = session.policy.snapshot as Partial<AgentsPolicy>;
      const perEntity = policy.maxConcurrentPerEntity;
      const global = policy.maxConcurrentGlobal;
      if (perEntity === undefined && global === undefined) return claim();
      const load = await this.store.concurrency(session.id);
      if (perEntity !== undefined && load.entityActive + load.entityWaitingBefore >= perEntity) {
        return 'queued' as const;
      }
      if (global !== undefined && load.policyActive + load.policyWaitingBefore >= global) {
        return 'queued' as const;
      }
      return claim();
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
