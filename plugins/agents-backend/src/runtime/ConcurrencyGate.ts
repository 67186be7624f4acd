import type { AgentsPolicy, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { AdmissionStore, ConcurrencyScope } from '../database/AdmissionStore';
import type { BudgetHolds } from '../budgets/BudgetHolds';

/** The policy key that caps each scope. */
const CAPS: Array<[ConcurrencyScope, keyof AgentsPolicy]> = [
  ['entity', 'maxConcurrentPerEntity'],
  ['owner', 'maxConcurrentPerOwner'],
  ['policy', 'maxConcurrentGlobal'],
];

/**
 * Holds sessions back while their policy's concurrency caps are reached: per entity
 * (`maxConcurrentPerEntity`), per owning group of the entity (`maxConcurrentPerOwner`) and across
 * the installation for the policy (`maxConcurrentGlobal`). A held session stays `pending` (shown as
 * queued) and starts, oldest first, when a slot frees: a session may start only if the runs already
 * active plus the older sessions still waiting in the same scope leave it a slot. Checks and claims
 * are serialized in this process, and across replicas by the store's admission lock, so neither a
 * burst of launches nor two replicas launching at once can overshoot a cap.
 */
export class ConcurrencyGate {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly admission: AdmissionStore,
    /** Holds back sessions whose owner's monthly budget is used up (`agents.budgets`, onExceeded: queue). */
    private readonly budgets?: Pick<BudgetHolds, 'holds'>,
  ) {}

  /** Runs `claim` if the session may start now; otherwise resolves to 'queued' without running it. */
  admit<T>(session: SessionWithRuns, claim: () => Promise<T>): Promise<T | 'queued'> {
    const turn = this.queue.then(async () => {
      if (this.budgets && (await this.budgets.holds(session))) return 'queued' as const;
      const policy = session.policy.snapshot as Partial<AgentsPolicy>;
      const capped = CAPS.filter(([, key]) => typeof policy[key] === 'number');
      if (capped.length === 0) return claim();
      return this.admission.withAdmissionLock(async () => {
        const load = await this.admission.concurrency(session.id);
        for (const [scope, key] of capped) {
          const inScope = load[scope];
          if (inScope && inScope.active + inScope.waitingBefore >= (policy[key] as number)) {
            return 'queued' as const;
          }
        }
        return claim();
      });
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
