import { DateTime } from 'luxon';
import type { OwnerBudget, OwnerBudgets } from './OwnerBudgets';
import type { BudgetUsageStore, OwnerUsage } from './BudgetUsageStore';

/** An owner over its budget this month, with everything a refusal, a hold or an audit event says. */
export interface BudgetVerdict {
  owner: string;
  budget: OwnerBudget;
  usage: OwnerUsage;
  /** When the month's usage starts again from nothing: the first instant of next month, UTC. */
  resetsAt: DateTime;
  /** e.g. `1,000,000 tokens and $50.00 a month`. */
  budgetText: string;
  /** e.g. `1,204,311 tokens and $12.40 in December 2026 (UTC)`. */
  usageText: string;
}

/**
 * Checks owners against their budgets for the calendar month (UTC). Usage is what finished runs
 * recorded; runs still going are not known yet, so a month can end a little over its budget.
 */
export class BudgetGuard {
  constructor(
    private readonly budgets: OwnerBudgets,
    private readonly usage: Pick<BudgetUsageStore, 'usageSince'>,
    private readonly now: () => DateTime = () => DateTime.utc(),
  ) {}

  /** The verdict when `ownerRef` has used up its budget this month; undefined while it has some left. */
  async exceeded(ownerRef: string | undefined): Promise<BudgetVerdict | undefined> {
    const budget = this.budgets.budgetFor(ownerRef);
    if (!budget || !ownerRef) return undefined;
    const monthStart = this.now().toUTC().startOf('month');
    const usage = await this.usage.usageSince(ownerRef, monthStart.toISO()!);
    const overTokens = budget.monthlyTokens !== undefined && usage.tokens >= budget.monthlyTokens;
    const overCost = budget.monthlyCostUsd !== undefined && usage.costUsd >= budget.monthlyCostUsd;
    if (!overTokens && !overCost) return undefined;
    const limits = [
      budget.monthlyTokens !== undefined ? tokens(budget.monthlyTokens) : undefined,
      budget.monthlyCostUsd !== undefined ? dollars(budget.monthlyCostUsd) : undefined,
    ].filter(Boolean);
    const used = [
      budget.monthlyTokens !== undefined ? tokens(usage.tokens) : undefined,
      budget.monthlyCostUsd !== undefined ? dollars(usage.costUsd) : undefined,
    ].filter(Boolean);
    return {
      owner: ownerRef,
      budget,
      usage,
      resetsAt: monthStart.plus({ months: 1 }),
      budgetText: `${limits.join(' and ')} a month`,
      usageText: `${used.join(' and ')} in ${monthStart.toFormat('MMMM yyyy')} (UTC)`,
    };
  }
}

/** The refusal's message: whose budget, how much, how much was used, and when it resets. */
export function refusalMessage(v: BudgetVerdict): string {
  return `${v.owner} has used its agents budget of ${v.budgetText}: ${v.usageText}. It resets on ${resetText(v)}; wait until then or ask the platform team to raise agents.budgets for ${v.owner}`;
}

/** The prefix of a held run's reason, so that the hold can be told from other reasons and cleared. */
export const HOLD_REASON_PREFIX = 'Waiting for budget: ';

/** What a held session's pending run says. */
export function holdReason(v: BudgetVerdict): string {
  return `${HOLD_REASON_PREFIX}${v.owner} has used its agents budget of ${v.budgetText} (${v.usageText}). The session starts when the budget resets on ${resetText(v)} or is raised; cancel it to give up`;
}

function resetText(v: BudgetVerdict): string {
  return `${v.resetsAt.toFormat('yyyy-MM-dd')} 00:00 UTC`;
}

function tokens(n: number): string {
  return `${Math.round(n).toLocaleString('en-US')} tokens`;
}

function dollars(n: number): string {
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
