import type { AuditorService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { DateTime } from 'luxon';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { ConcurrencyGate } from '../runtime/ConcurrencyGate';
import { newSessionInput } from '../testUtils/newSessionInput';
import { BudgetGuard } from './BudgetGuard';
import { BudgetHolds } from './BudgetHolds';
import { BudgetUsageStore } from './BudgetUsageStore';
import { OwnerBudgets } from './OwnerBudgets';
import { seedUsage } from './testUsage';

jest.setTimeout(60_000);

describeOnEachDatabase('budget holds', t => {
  it('keeps a session over a queue budget pending with its reason, audited once, and starts it when the month turns', async () => {
    let now = DateTime.fromISO('2026-12-20T12:00:00Z', { zone: 'utc' });
    const budgets = OwnerBudgets.fromConfig(
      new ConfigReader({ agents: { budgets: { default: { monthlyCostUsd: 10, onExceeded: 'queue' } } } }),
    );
    const store = new BudgetUsageStore(t.knex);
    const audited: object[] = [];
    const auditor = {
      createEvent: async ({ eventId, meta }: { eventId: string; meta?: object }) => ({
        success: async () => {
          audited.push({ eventId, meta });
        },
        fail: async () => {},
      }),
    } as unknown as AuditorService;
    const gate = new ConcurrencyGate(
      t.db.admission,
      new BudgetHolds({ guard: new BudgetGuard(budgets, store, () => now), store, auditor }),
    );
    await seedUsage(t.db, t.knex, { owner: 'group:default/team-a', tokens: 100, costUsd: 12, finishedAt: '2026-12-10T00:00:00.000Z' });
    const { session } = await t.db.sessions.createSession(newSessionInput());
    const claim = () => t.db.transitions.applyTransition(session.id, 'starting');

    // Launch passes (a finished run, the resync) find it held, and say why on its run.
    expect(await gate.admit((await t.db.sessions.getSession(session.id))!, claim)).toBe('queued');
    expect(await gate.admit((await t.db.sessions.getSession(session.id))!, claim)).toBe('queued');
    const held = (await t.db.sessions.getSession(session.id))!;
    expect(held.status).toBe('pending');
    expect(held.runs[0].reason).toBe(
      'Waiting for budget: group:default/team-a has used its agents budget of $10.00 a month ($12.00 in December 2026 (UTC)). The session starts when the budget resets on 2027-01-01 00:00 UTC or is raised; cancel it to give up',
    );
    expect(audited).toEqual([
      {
        eventId: 'budget-hold',
        meta: {
          sessionId: session.id,
          entityRef: 'component:default/payments',
          owner: 'group:default/team-a',
          budget: '$10.00 a month',
          usage: '$12.00 in December 2026 (UTC)',
        },
      },
    ]);

    // Another owner is not held.
    const other = (await t.db.sessions.createSession(newSessionInput({ entityOwnerRef: 'group:default/team-b' }))).session;
    expect(await gate.admit(other, () => t.db.transitions.applyTransition(other.id, 'starting'))).not.toBe('queued');

    // The month turns: the next pass starts it and clears the reason.
    now = DateTime.fromISO('2027-01-01T00:00:30Z', { zone: 'utc' });
    expect(await gate.admit((await t.db.sessions.getSession(session.id))!, claim)).not.toBe('queued');
    const started = (await t.db.sessions.getSession(session.id))!;
    expect(started.status).toBe('starting');
    expect(started.runs[0].reason).toBeUndefined();
  });
});
