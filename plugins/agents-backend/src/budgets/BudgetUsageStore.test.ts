import { ConfigReader } from '@backstage/config';
import { DateTime } from 'luxon';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { BudgetGuard, holdReason, refusalMessage } from './BudgetGuard';
import { BudgetUsageStore } from './BudgetUsageStore';
import { OwnerBudgets } from './OwnerBudgets';
import { seedUsage } from './testUsage';

jest.setTimeout(60_000);

const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

describeOnEachDatabase('owner budget usage', t => {
  const now = DateTime.utc();
  const lastMonth = now.startOf('month').minus({ minutes: 1 }).toISO()!;

  it("sums the month's tokens and cost of an owner's runs, leaving out other owners and last month", async () => {
    const store = new BudgetUsageStore(t.knex);
    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 1_000, costUsd: 0.25 });
    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 501, costUsd: 0.125 });
    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 9_999_999, costUsd: 99, finishedAt: lastMonth });
    await seedUsage(t.db, t.knex, { owner: TEAM_B, tokens: 7_000, costUsd: 7 });
    // A run without a price still counts its tokens.
    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 10 });

    const monthStart = now.startOf('month').toISO()!;
    expect(await store.usageSince(TEAM_A, monthStart)).toEqual({ tokens: 1_511, costUsd: 0.375 });
    expect(await store.usageSince(TEAM_B, monthStart)).toEqual({ tokens: 7_000, costUsd: 7 });
    expect(await store.usageSince('group:default/nobody', monthStart)).toEqual({ tokens: 0, costUsd: 0 });
  });

  it('judges owners against their own budget or the default, and says when it resets', async () => {
    const budgets = OwnerBudgets.fromConfig(
      new ConfigReader({
        agents: {
          budgets: {
            default: { monthlyTokens: 1_000_000, onExceeded: 'queue' },
            owners: [{ owner: 'team-a', monthlyCostUsd: 1 }],
          },
        },
      }),
    );
    const clock = DateTime.fromISO('2026-12-05T10:00:00Z', { zone: 'utc' });
    const guard = new BudgetGuard(budgets, new BudgetUsageStore(t.knex), () => clock);
    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 5_000_000, costUsd: 0.5, finishedAt: '2026-12-02T00:00:00.000Z' });
    await seedUsage(t.db, t.knex, { owner: TEAM_B, tokens: 999_999, finishedAt: '2026-12-03T00:00:00.000Z' });
    // team-a's own budget (dollars only) replaces the default's tokens: not over yet.
    expect(await guard.exceeded(TEAM_A)).toBeUndefined();
    expect(await guard.exceeded(TEAM_B)).toBeUndefined();
    expect(await guard.exceeded(undefined)).toBeUndefined();

    await seedUsage(t.db, t.knex, { owner: TEAM_A, tokens: 10, costUsd: 0.5, finishedAt: '2026-12-04T00:00:00.000Z' });
    await seedUsage(t.db, t.knex, { owner: TEAM_B, tokens: 1, finishedAt: '2026-12-04T00:00:00.000Z' });
    const a = (await guard.exceeded(TEAM_A))!;
    expect(a.budget.onExceeded).toBe('refuse');
    expect(refusalMessage(a)).toBe(
      'group:default/team-a has used its agents budget of $1.00 a month: $1.00 in December 2026 (UTC). It resets on 2027-01-01 00:00 UTC; wait until then or ask the platform team to raise agents.budgets for group:default/team-a',
    );
    const b = (await guard.exceeded(TEAM_B))!;
    expect(b.budget.onExceeded).toBe('queue');
    expect(holdReason(b)).toContain('budget of 1,000,000 tokens a month (1,000,000 tokens in December 2026 (UTC))');
  });
});

describe('OwnerBudgets.fromConfig', () => {
  const read = (budgets: object) => () => OwnerBudgets.fromConfig(new ConfigReader({ agents: { budgets } }));

  it('stops on budgets that cannot be enforced, naming the key', () => {
    expect(read({ default: { onExceeded: 'queue' } })).toThrow(
      'agents.budgets.default sets neither monthlyTokens nor monthlyCostUsd',
    );
    expect(read({ owners: [{ owner: 'team-a', monthlyTokens: 1.5 }] })).toThrow(
      'agents.budgets.owners[0].monthlyTokens must be a whole number above 0',
    );
    expect(read({ owners: [{ owner: 'team-a', monthlyCostUsd: 5, onExceeded: 'warn' }] })).toThrow(
      "agents.budgets.owners[0].onExceeded must be refuse or queue, not 'warn'",
    );
    expect(
      read({ owners: [{ owner: 'team-a', monthlyTokens: 1 }, { owner: 'group:default/team-a', monthlyTokens: 2 }] }),
    ).toThrow('agents.budgets.owners[1].owner group:default/team-a has a budget already');
  });

  it('has no budget for anyone without configuration', () => {
    const budgets = OwnerBudgets.fromConfig(new ConfigReader({}));
    expect(budgets.any).toBe(false);
    expect(budgets.budgetFor(TEAM_A)).toBeUndefined();
  });
});
