import type {
  HarnessName,
  SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import { randomUUID } from 'node:crypto';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

describeOnEachDatabase('usage statistics', t => {
  interface Seed {
    day: string;
    status: SessionStatus;
    entity?: string;
    owner?: string;
    harness?: HarnessName;
    createdBy?: string;
    /** Seconds from start to finish. */
    seconds?: number;
    runs?: Array<{ input: number; output: number; cost?: number }>;
  }

  /** Writes a session as it would be after its life: created on `day` at 10:00 UTC, with its runs' usage. */
  async function seed(s: Seed, kind: 'agent' | 'fanout' = 'agent') {
    const entity = s.entity ?? 'payments';
    const { session } = await t.db.sessions.createSession(
      newSessionInput({
        kind,
        entityRef: `component:default/${entity}`,
        entityOwnerRef: s.owner ?? 'group:default/team-a',
        harness: s.harness ?? 'opencode',
        createdBy: s.createdBy ?? 'user:default/jane',
      }),
    );
    const created = `${s.day}T10:00:00.000Z`;
    const finished =
      s.seconds === undefined
        ? null
        : new Date(Date.parse(created) + s.seconds * 1000).toISOString();
    await t
      .knex('agents_sessions')
      .where({ id: session.id })
      .update({
        status: s.status,
        created_at: created,
        started_at: s.seconds === undefined ? null : created,
        finished_at: finished,
      });
    const [first] = await t
      .knex('agents_runs')
      .where({ session_id: session.id });
    for (const [i, run] of (s.runs ?? []).entries()) {
      const id = i === 0 && first ? first.id : randomUUID();
      if (id !== first?.id) {
        await t
          .knex('agents_runs')
          .insert({ ...first, id, session_id: session.id, attempt: i + 1 });
      }
      await t
        .knex('agents_runs')
        .where({ id })
        .update({
          input_tokens: run.input,
          output_tokens: run.output,
          cost_usd: run.cost ?? null,
        });
    }
    return session.id;
  }

  const stats = (overrides = {}) =>
    t.db.usage.statistics({
      from: '2026-03-01',
      to: '2026-03-07',
      ...overrides,
    });

  async function seedWeek() {
    await seed({
      day: '2026-03-01',
      status: 'succeeded',
      seconds: 60,
      runs: [{ input: 1000, output: 100, cost: 0.5 }],
    });
    await seed({
      day: '2026-03-01',
      status: 'failed',
      seconds: 120,
      runs: [{ input: 200, output: 20, cost: 0.25 }],
    });
    await seed({
      day: '2026-03-03',
      status: 'succeeded',
      seconds: 300,
      entity: 'storefront',
      owner: 'group:default/team-b',
      harness: 'claude-code',
      runs: [
        { input: 5000, output: 500, cost: 2 },
        { input: 10, output: 1 },
      ],
    });
    await seed({ day: '2026-03-03', status: 'timed_out', seconds: 600 });
    await seed({ day: '2026-03-05', status: 'running' });
    await seed({
      day: '2026-03-07',
      status: 'cancelled',
      seconds: 30,
      entity: 'storefront',
      owner: 'group:default/team-b',
    });
    // Outside the range, before and after.
    await seed({ day: '2026-02-28', status: 'succeeded', seconds: 10 });
    await seed({ day: '2026-03-08', status: 'succeeded', seconds: 10 });
    // A fan-out is a group of sessions, not one: never counted.
    await seed(
      { day: '2026-03-02', status: 'succeeded', seconds: 10 },
      'fanout',
    );
  }

  it('counts sessions per day, zero-filled, by status, and the success rate', async () => {
    await seedWeek();
    const s = await stats();
    expect(s.total).toBe(6);
    expect(s.byStatus).toEqual({
      succeeded: 2,
      failed: 1,
      timed_out: 1,
      running: 1,
      cancelled: 1,
    });
    // 2 succeeded of 5 finished (the running one is not finished).
    expect(s.successRate).toBeCloseTo(2 / 5);
    expect(s.perDay).toEqual([
      { date: '2026-03-01', sessions: 2, succeeded: 1, failed: 1 },
      { date: '2026-03-02', sessions: 0, succeeded: 0, failed: 0 },
      { date: '2026-03-03', sessions: 2, succeeded: 1, failed: 1 },
      { date: '2026-03-04', sessions: 0, succeeded: 0, failed: 0 },
      { date: '2026-03-05', sessions: 1, succeeded: 0, failed: 0 },
      { date: '2026-03-06', sessions: 0, succeeded: 0, failed: 0 },
      { date: '2026-03-07', sessions: 1, succeeded: 0, failed: 0 },
    ]);
  });

  it('gives nearest-rank p50 and p90 of the finished sessions’ run time', async () => {
    await seedWeek();
    // Finished with a start: 30, 60, 120, 300, 600 s.
    expect((await stats()).duration).toEqual({
      count: 5,
      p50Ms: 120_000,
      p90Ms: 600_000,
    });
    expect((await stats({ harness: 'claude-code' })).duration).toEqual({
      count: 1,
      p50Ms: 300_000,
      p90Ms: 300_000,
    });
    expect(
      (await stats({ from: '2026-03-05', to: '2026-03-05' })).duration,
    ).toBeUndefined();
  });

  it('sums tokens and the cost of priced runs, counting the unpriced ones', async () => {
    await seedWeek();
    expect((await stats()).usage).toEqual({
      inputTokens: 6210,
      outputTokens: 621,
      costUsd: 2.75,
      unpricedRuns: 1,
    });
  });

  it('lists the top entities with their success rate and cost', async () => {
    await seedWeek();
    expect((await stats()).topEntities).toEqual([
      {
        entityRef: 'component:default/payments',
        sessions: 4,
        successRate: 1 / 3,
        usage: {
          inputTokens: 1200,
          outputTokens: 120,
          costUsd: 0.75,
          unpricedRuns: 0,
        },
      },
      {
        entityRef: 'component:default/storefront',
        sessions: 2,
        successRate: 0.5,
        usage: {
          inputTokens: 5010,
          outputTokens: 501,
          costUsd: 2,
          unpricedRuns: 1,
        },
      },
    ]);
  });

  it('filters by owner, entity and harness', async () => {
    await seedWeek();
    const teamB = await stats({ ownerRef: 'group:default/team-b' });
    expect([teamB.total, teamB.topEntities.map(e => e.entityRef)]).toEqual([
      2,
      ['component:default/storefront'],
    ]);
    expect(
      (await stats({ entityRef: 'component:default/payments' })).total,
    ).toBe(4);
    const claude = await stats({ harness: 'claude-code' });
    expect([
      claude.total,
      claude.successRate,
      claude.usage.inputTokens,
    ]).toEqual([1, 1, 5010]);
    const nobody = await stats({ ownerRef: 'group:default/nobody' });
    expect([
      nobody.total,
      nobody.successRate,
      nobody.topEntities,
      nobody.perDay.length,
    ]).toEqual([0, undefined, [], 7]);
    expect(nobody.usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      unpricedRuns: 0,
    });
  });

  it('counts only the sessions the permission filter lets the caller read', async () => {
    await seedWeek();
    await seed({
      day: '2026-03-02',
      status: 'succeeded',
      seconds: 5,
      createdBy: 'user:default/sam',
      entity: 'ledger',
      owner: 'group:default/team-c',
      runs: [{ input: 9, output: 9, cost: 9 }],
    });
    const all = await stats();
    expect(all.total).toBe(7);
    const owned = await stats({
      permissionFilter: {
        property: 'entityOwnerRef',
        values: ['group:default/team-b'],
      },
    });
    expect([owned.total, owned.usage.costUsd]).toEqual([2, 2]);
    const samsOrTeamB = await stats({
      permissionFilter: {
        anyOf: [
          { property: 'createdBy', values: ['user:default/sam'] },
          { property: 'entityOwnerRef', values: ['group:default/team-b'] },
        ],
      },
    });
    expect([
      samsOrTeamB.total,
      samsOrTeamB.usage.costUsd,
      samsOrTeamB.topEntities.length,
    ]).toEqual([3, 11, 2]);
    expect(
      (await stats({ permissionFilter: { property: 'createdBy', values: [] } }))
        .total,
    ).toBe(0);
  });

  it('answers with a bounded number of rows for many sessions', async () => {
    for (let i = 0; i < 40; i++) {
      await seed({
        day: `2026-03-0${1 + (i % 7)}`,
        status: i % 3 ? 'succeeded' : 'failed',
        seconds: i + 1,
        entity: `svc-${i % 12}`,
      });
    }
    const s = await stats();
    expect(s.total).toBe(40);
    expect(s.topEntities).toHaveLength(10);
    expect(s.topEntities[0]).toMatchObject({
      entityRef: 'component:default/svc-0',
      sessions: 4,
    });
    // 1..40 s: the 20th and 36th.
    expect(s.duration).toEqual({ count: 40, p50Ms: 20_000, p90Ms: 36_000 });
  });
});
