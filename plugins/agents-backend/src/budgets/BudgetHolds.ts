import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import { HOLD_REASON_PREFIX, holdReason, type BudgetGuard } from './BudgetGuard';
import type { BudgetUsageStore } from './BudgetUsageStore';

/**
 * Holds back the launches of owners over a budget: the session stays pending (queued, like behind a
 * concurrency cap) with the reason on its run, and starts at a later launch pass — the reconciler's
 * resync or a finished run — once the month has turned or the budget was raised. Each new hold
 * reason is audited once: it is written to the run, so passes that find it unchanged stay quiet.
 */
export class BudgetHolds {
  constructor(
    private readonly deps: {
      guard: BudgetGuard;
      store: Pick<BudgetUsageStore, 'setPendingRunReason'>;
      auditor?: AuditorService;
      logger?: LoggerService;
    },
  ) {}

  /** Whether the session must wait for its owner's budget; clears a former hold's reason when not. */
  async holds(session: SessionWithRuns): Promise<boolean> {
    const run = session.runs[session.runs.length - 1];
    const verdict = await this.deps.guard.exceeded(session.entityOwnerRef);
    if (!verdict) {
      if (run?.reason?.startsWith(HOLD_REASON_PREFIX)) await this.deps.store.setPendingRunReason(run.id, null);
      return false;
    }
    const reason = holdReason(verdict);
    if (run && run.reason !== reason && (await this.deps.store.setPendingRunReason(run.id, reason))) {
      run.reason = reason;
      await this.audit(session, verdict.owner, verdict.budgetText, verdict.usageText, reason);
    }
    return true;
  }

  private async audit(session: SessionWithRuns, owner: string, budget: string, usage: string, reason: string) {
    this.deps.logger?.info(`Session ${session.id} is held: ${reason}`);
    if (!this.deps.auditor) return;
    const event = await this.deps.auditor.createEvent({
      eventId: 'budget-hold',
      severityLevel: 'medium',
      meta: { sessionId: session.id, entityRef: session.entityRef, owner, budget, usage },
    });
    await event.success();
  }
}
