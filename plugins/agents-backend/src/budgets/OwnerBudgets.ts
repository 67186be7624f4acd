import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** What happens to a launch once its owner's budget for the month is used up. */
export type BudgetExceededAction = 'refuse' | 'queue';

/** A monthly budget of one owning group: tokens, US dollars, or both (whichever runs out first). */
export interface OwnerBudget {
  /** The owner's entity ref; absent for the default that applies to owners without their own. */
  owner?: string;
  monthlyTokens?: number;
  monthlyCostUsd?: number;
  onExceeded: BudgetExceededAction;
}

/**
 * The budgets of `agents.budgets`: one per owning group, and a default for every other owner. An
 * owner's own entry replaces the default as a whole (a team given a dollar budget is not also held
 * to the default's tokens). Read once at start-up so a mistake stops the backend, not a launch.
 */
export class OwnerBudgets {
  private constructor(
    private readonly byOwner: Map<string, OwnerBudget>,
    private readonly fallback: OwnerBudget | undefined,
  ) {}

  static fromConfig(config: Config): OwnerBudgets {
    const budgets = config.getOptionalConfig('agents.budgets');
    const fallback = budgets?.has('default')
      ? readBudget(budgets.getConfig('default'), 'agents.budgets.default')
      : undefined;
    const byOwner = new Map<string, OwnerBudget>();
    budgets?.getOptionalConfigArray('owners')?.forEach((entry, index) => {
      const key = `agents.budgets.owners[${index}]`;
      const raw = entry.getString('owner');
      let owner: string;
      try {
        owner = stringifyEntityRef(parseEntityRef(raw, { defaultKind: 'group', defaultNamespace: 'default' }));
      } catch {
        throw new InputError(`${key}.owner '${raw}' is not an entity ref such as group:default/team-a`);
      }
      if (byOwner.has(owner)) throw new InputError(`${key}.owner ${owner} has a budget already; give each owner one entry`);
      byOwner.set(owner, { owner, ...readBudget(entry, key) });
    });
    return new OwnerBudgets(byOwner, fallback);
  }

  /** The budget an owner's launches count against; none for unowned entities or owners without one. */
  budgetFor(ownerRef: string | undefined): OwnerBudget | undefined {
    if (!ownerRef) return undefined;
    return this.byOwner.get(ownerRef) ?? this.fallback;
  }

  /** Whether any budget is configured: without one, launches cost no usage query. */
  get any(): boolean {
    return this.byOwner.size > 0 || this.fallback !== undefined;
  }
}

function readBudget(config: Config, key: string): Omit<OwnerBudget, 'owner'> {
  const monthlyTokens = readLimit(config, 'monthlyTokens', key, true);
  const monthlyCostUsd = readLimit(config, 'monthlyCostUsd', key, false);
  if (monthlyTokens === undefined && monthlyCostUsd === undefined) {
    throw new InputError(`${key} sets neither monthlyTokens nor monthlyCostUsd; give it at least one`);
  }
  const onExceeded = config.getOptionalString('onExceeded') ?? 'refuse';
  if (onExceeded !== 'refuse' && onExceeded !== 'queue') {
    throw new InputError(`${key}.onExceeded must be refuse or queue, not '${onExceeded}'`);
  }
  return { monthlyTokens, monthlyCostUsd, onExceeded };
}

function readLimit(config: Config, name: string, key: string, whole: boolean): number | undefined {
  const value = config.getOptionalNumber(name);
  if (value === undefined) return undefined;
  if (!(value > 0) || (whole && !Number.isInteger(value))) {
    throw new InputError(`${key}.${name} must be a ${whole ? 'whole ' : ''}number above 0, not ${value}`);
  }
  return value;
}
