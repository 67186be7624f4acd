import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, startBackend, testConfig } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { seedUsage } from './testUsage';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('owner budgets through the API on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let db: AgentsDatabase;
  let backend: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBackend(knex, {
      config: {
        agents: {
          ...testConfig.agents,
          budgets: {
            // team-a (payments) is refused past 1,000 tokens; team-b (storefront) waits past 500.
            owners: [
              { owner: 'group:default/team-a', monthlyTokens: 1_000, onExceeded: 'refuse' },
              { owner: 'group:default/team-b', monthlyTokens: 500, onExceeded: 'queue' },
            ],
          },
        },
      },
    });
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
  });

  afterAll(async () => {
    await backend.server.stop?.();
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
    backend.auditEvents.length = 0;
  });

  const launch = (entityRef: string) =>
    request(backend.server).post('/api/agents/sessions').set(asJane).send({ entityRef, prompt: 'Add refunds' });

  it('launches while the owner has budget left', async () => {
    await seedUsage(db, knex, { owner: 'group:default/team-a', tokens: 999 });
    expect((await launch('component:default/payments')).status).toBe(201);
  });

  it('refuses a launch past a refuse budget with who, how much and when it resets, writes nothing, and audits it', async () => {
    await seedUsage(db, knex, { owner: 'group:default/team-a', tokens: 1_200 });
    const before = await knex('agents_sessions').count({ n: '*' });

    const res = await launch('component:default/payments');

    expect(res.status).toBe(403);
    expect(res.body.error.name).toBe('NotAllowedError');
    expect(res.body.error.message).toMatch(
      /^group:default\/team-a has used its agents budget of 1,000 tokens a month: 1,200 tokens in \w+ \d{4} \(UTC\)\. It resets on \d{4}-\d{2}-01 00:00 UTC; wait until then or ask the platform team to raise agents\.budgets/,
    );
    expect(await knex('agents_sessions').count({ n: '*' })).toEqual(before);
    expect(backend.auditEvents).toContainEqual({
      eventId: 'budget-refusal',
      outcome: 'fail',
      meta: expect.objectContaining({
        entityRef: 'component:default/payments',
        owner: 'group:default/team-a',
        budget: '1,000 tokens a month',
        usage: expect.stringMatching(/^1,200 tokens in /),
      }),
    });
    // Another owner's entities are not affected.
    expect((await launch('component:default/storefront')).status).toBe(201);
  });

  it('refuses to resume a session of an owner past a refuse budget', async () => {
    const finished = await seedUsage(db, knex, { owner: 'group:default/team-a', tokens: 1_500 });
    const res = await request(backend.server)
      .post(`/api/agents/sessions/${finished}/resume`)
      .set(asJane)
      .send({ prompt: 'Also add tests' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('group:default/team-a has used its agents budget of 1,000 tokens a month');
    expect((await knex('agents_runs').where({ session_id: finished })).length).toBe(1);
  });

  it('tells the launch options of an owner past a refuse budget why nothing can start', async () => {
    await seedUsage(db, knex, { owner: 'group:default/team-a', tokens: 1_000 });
    const res = await request(backend.server)
      .get('/api/agents/launch-options?entityRef=component:default/payments')
      .set(asJane);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ canCreate: false, reason: expect.stringContaining('It resets on') });
  });

  it('accepts a launch past a queue budget: the session is created pending, for the launcher to hold', async () => {
    await seedUsage(db, knex, { owner: 'group:default/team-b', tokens: 800, entityRef: 'component:default/storefront' });
    const res = await launch('component:default/storefront');
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('pending');
  });

  it('counts a fan-out for nothing: its tasks are checked one by one', async () => {
    await seedUsage(db, knex, { owner: 'group:default/team-a', tokens: 5_000 });
    const fanOut = await request(backend.server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'component:default/payments', prompt: 'Implement the spec', kind: 'fanout' });
    expect(fanOut.status).toBe(201);
    const task = await request(backend.server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'component:default/payments', prompt: 'T001', parentSessionId: fanOut.body.id });
    expect(task.status).toBe(403);
  });
});
