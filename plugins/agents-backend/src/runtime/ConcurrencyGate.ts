import type { AgentsPolicy, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { AdmissionStore, ConcurrencyScope } from '../database/AdmissionStore';
import type { BudgetHolds } from '../budgets/BudgetHolds';

/** The policy key that caps each scope. */
const CAPS: Array<[ConcurrencyScope, keyof AgentsPolicy]> = [
  ['entity', 'maxConcurrentPerEntity'],
  ['owner', 'maxConcurrentPerOwner'],
  ['policy', 'maxConcurrentGlobal'],
];

/** The most admissions checked under one hold of the admission lock, so that no hold lasts long. */
const MAX_BATCH = 64;

interface Admission {
  session: SessionWithRuns;
  claim: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Holds sessions back while their policy's concurrency caps are reached: per entity
 * (`maxConcurrentPerEntity`), per owning group of the entity (`maxConcurrentPerOwner`) and across
 * the installation for the policy (`maxConcurrentGlobal`). A held session stays `pending` (shown as
 * queued) and starts, oldest first, when a slot frees: a session may start only if the runs already
 * active plus the older sessions still waiting in the same scope leave it a slot. Checks and claims
 * are serialized in this process, and across replicas by the store's admission lock, so neither a
 * burst of launches nor two replicas launching at once can overshoot a cap.
 *
 * Admissions that arrive while one is under way are checked together, one after the other, under
 * one hold of the lock: a burst of launches takes the lock once, not once per session. A claim in
 * the batch cannot change the count of a later one (it moves a session older than it from waiting
 * to active), so each check still sees what it would alone.
 */
export class ConcurrencyGate {
  private waiting: Admission[] = [];
  private draining = false;

  constructor(
    private readonly admission: Pick<AdmissionStore, 'concurrency' | 'withAdmissionLock'>,
    /** Holds back sessions whose owner's monthly budget is used up (`agents.budgets`, onExceeded: queue). */
    private readonly budgets?: Pick<BudgetHolds, 'holds'>,
  ) {}

  /** Runs `claim` if the session may start now; otherwise resolves to 'queued' without running it. */
  admit<T>(session: SessionWithRuns, claim: () => Promise<T>): Promise<T | 'queued'> {
    return new Promise<T | 'queued'>((resolve, reject) => {
      this.waiting.push({ session, claim, resolve: resolve as (value: unknown) => void, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain() {
    this.draining = true;
    // Let the admissions of a burst that arrive in the same tick join the first batch.
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_BATCH);
      const capped = batch.some(({ session }) => capsOf(session).length > 0);
      const admitAll = async () => {
        for (const admission of batch) await this.admitOne(admission);
      };
      try {
        await (capped ? this.admission.withAdmissionLock(admitAll) : admitAll());
      } catch (error) {
        // Taking or releasing the lock failed: whoever was not answered yet hears why.
        for (const admission of batch) admission.reject(error);
      }
    }
    this.draining = false;
  }

  /** Checks one session and claims it when it may start; settles its `admit` either way. */
  private async admitOne({ session, claim, resolve, reject }: Admission) {
    try {
      if (this.budgets && (await this.budgets.holds(session))) {
        resolve('queued');
        return;
      }
      const caps = capsOf(session);
      if (caps.length > 0) {
        const load = await this.admission.concurrency({
          id: session.id,
          entityRef: session.entityRef,
          entityOwnerRef: session.entityOwnerRef,
          policyName: session.policy.name,
        });
        for (const [scope, cap] of caps) {
          const inScope = load[scope];
          if (inScope && inScope.active + inScope.waitingBefore >= cap) {
            resolve('queued');
            return;
          }
        }
      }
      resolve(await claim());
    } catch (error) {
      reject(error);
    }
  }
}

/** The caps the session's policy sets, by scope. */
function capsOf(session: SessionWithRuns): Array<[ConcurrencyScope, number]> {
  const policy = session.policy.snapshot as Partial<AgentsPolicy>;
  return CAPS.filter(([, key]) => typeof policy[key] === 'number').map(([scope, key]) => [
    scope,
    policy[key] as number,
  ]);
}
