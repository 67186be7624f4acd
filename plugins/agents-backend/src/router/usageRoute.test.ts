import {
  mockServices,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import request from 'supertest';
import { asJane, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'GET /usage on %p',
  (databaseId: TestDatabaseId) => {
    let knex: Knex;
    let server: Awaited<ReturnType<typeof startBackend>>['server'];
    const today = DateTime.utc().toISODate()!;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      ({ server } = await startBackend(knex));
      for (const [entityRef, harness] of [
        ['payments', 'opencode'],
        ['payments', 'claude-code'],
        ['storefront', 'opencode'],
      ]) {
        const res = await request(server)
          .post('/api/agents/sessions')
          .set(asJane)
          .send({ entityRef, prompt: 'Work', harness });
        if (res.status !== 201)
          throw new Error(
            `Creating a session failed: ${res.status} ${res.text}`,
          );
      }
      // A session of last year, outside the default range.
      const old = await knex('agents_sessions').first();
      await knex('agents_sessions').insert({
        ...old,
        seq: undefined,
        id: '22222222-2222-4222-8222-222222222222',
        work_branch: 'agents/old',
        idempotency_key: null,
        created_at: DateTime.utc().minus({ days: 40 }).toISO(),
      });
    });

    afterAll(async () => {
      await server.stop?.();
      await knex('agents_sessions').delete();
    });

    const get = (query: string, srv = server) =>
      request(srv).get(`/api/agents/usage${query}`).set(asJane);

    it('counts the last 30 days by default, every day listed', async () => {
      const res = await get('');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        to: today,
        total: 3,
        byStatus: { pending: 3 },
      });
      expect(res.body.from).toBe(
        DateTime.utc().minus({ days: 29 }).toISODate(),
      );
      expect(res.body.perDay).toHaveLength(30);
      expect(res.body.perDay.at(-1)).toEqual({
        date: today,
        sessions: 3,
        succeeded: 0,
        failed: 0,
      });
      expect(res.body.successRate).toBeUndefined();
      expect(
        res.body.topEntities.map((e: any) => [e.entityRef, e.sessions]),
      ).toEqual([
        ['component:default/payments', 2],
        ['component:default/storefront', 1],
      ]);
    });

    it('filters by entity (as written, encoded or short), owner, harness and range', async () => {
      for (const ref of [
        'component:default/payments',
        'component%3Adefault%2Fpayments',
        'payments',
      ]) {
        expect((await get(`?entityRef=${ref}`)).body.total).toBe(2);
      }
      expect((await get('?ownerRef=group:default/team-b')).body.total).toBe(1);
      expect((await get('?ownerRef=team-b')).body.total).toBe(1);
      expect((await get('?harness=claude-code')).body.total).toBe(1);
      const lastYear = await get(
        `?from=${DateTime.utc()
          .minus({ days: 60 })
          .toISODate()}&to=${DateTime.utc().minus({ days: 31 }).toISODate()}`,
      );
      expect([
        lastYear.status,
        lastYear.body.total,
        lastYear.body.perDay.length,
      ]).toEqual([200, 1, 30]);
    });

    it.each([
      [
        '?ownerRef=group:default/team-a&entityRef=payments',
        'give ownerRef or entityRef, not both',
      ],
      [
        '?from=2025-01-01&to=2026-01-02',
        'covers 367 days; ask for at most 366',
      ],
      [
        '?from=2026-02-01&to=2026-01-01',
        'from (2026-02-01) is after to (2026-01-01)',
      ],
      ['?from=2026-02-30', 'from is not a calendar date'],
      ['?to=yesterday', 'to'],
      ['?harness=gpt', 'harness'],
      [
        '?entityRef=component:default/',
        "entityRef 'component:default/' is not an entity ref",
      ],
    ])(
      'refuses %s with a 400 that says what to fix',
      async (query, message) => {
        const res = await get(query);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
      },
    );

    it('answers 403 when the caller may read no session', async () => {
      const denied = await startBackend(knex, {
        permissions: mockServices.permissions.factory({
          result: AuthorizeResult.DENY,
        }),
      });
      try {
        const res = await get('', denied.server);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain('agents.session.read');
      } finally {
        await denied.server.stop?.();
      }
    });

    it('counts only the sessions a conditional decision lets the caller read', async () => {
      const conditional = mockServices.permissions.mock({
        authorizeConditional: async requests =>
          requests.map(() => ({
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'agents',
            resourceType: 'agents-session',
            conditions: {
              rule: 'IS_ENTITY_OWNER',
              resourceType: 'agents-session',
              params: { claims: ['group:default/team-b'] },
            },
          })) as any,
      });
      const { server: ownerOnly } = await startBackend(knex, {
        permissions: conditional.factory,
      });
      try {
        const res = await get('', ownerOnly);
        expect(res.status).toBe(200);
        expect(res.body.total).toBe(1);
        expect(res.body.topEntities.map((e: any) => e.entityRef)).toEqual([
          'component:default/storefront',
        ]);
      } finally {
        await ownerOnly.stop?.();
      }
    });
  },
);
