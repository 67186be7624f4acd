import { mockCredentials, mockServices, type TestDatabaseId } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, JANE, startBackend } from './__testUtils__/agentsTestBackend';
import { createTestDatabases } from './__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('agents API on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
  });

  afterEach(async () => {
    if (await knex.schema.hasTable('agents_sessions')) await knex('agents_sessions').delete();
  });

  const sessionCount = async () =>
    Number((await knex('agents_sessions').count({ n: '*' }))[0].n);

  it('creates a session that is then listed and fetched, and audits it', async () => {
    const { server, auditEvents } = await startBackend(knex);
    const created = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'component:default/payments', prompt: 'Add refunds' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      entityRef: 'component:default/payments',
      entityOwnerRef: 'group:default/team-a',
      repoUrl: 'https://github.com/example-org/payments',
      baseBranch: 'develop',
      harness: 'opencode',
      status: 'pending',
      createdBy: JANE,
      policy: { name: 'default' },
      runs: [expect.objectContaining({ attempt: 1, phase: 'pending' })],
    });

    const list = await request(server)
      .get('/api/agents/sessions')
      .query({ entityRef: 'component:default/payments' })
      .set(asJane);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: any) => s.id)).toEqual([created.body.id]);

    const fetched = await request(server).get(`/api/agents/sessions/${created.body.id}`).set(asJane);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);

    expect(auditEvents).toContainEqual(
      expect.objectContaining({
        eventId: 'session-create',
        outcome: 'success',
        meta: expect.objectContaining({ sessionId: created.body.id }),
      }),
    );
  });

  it('binds the template policy and refuses a harness it does not allow', async () => {
    const { server, auditEvents } = await startBackend(knex);
    const denied = await request(server).post('/api/agents/sessions').set(asJane).send({
      entityRef: 'component:default/storefront',
      prompt: 'Fix the issue',
      harness: 'claude-code',
      templateRef: 'template:default/fix-issue',
    });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      "Policy 'strict' does not allow harness claude-code; allowed: opencode",
    );
    expect(auditEvents.map(e => `${e.eventId}:${e.outcome}`)).toEqual([
      'session-create:fail',
      'policy-denial:fail',
    ]);
    const allowed = await request(server).post('/api/agents/sessions').set(asJane).send({
      entityRef: 'component:default/storefront',
      prompt: 'Fix the issue',
      templateRef: 'template:default/fix-issue',
    });
    expect(allowed.status).toBe(201);
    expect(allowed.body).toMatchObject({
      repoUrl: 'https://github.com/example-org/storefront',
      policy: { name: 'strict' },
      origin: { kind: 'scaffolder', templateRef: 'template:default/fix-issue' },
    });
    expect(allowed.body.baseBranch).toBeUndefined();
  });

  it('returns the same session for a repeated idempotency key', async () => {
    const { server } = await startBackend(knex);
    const body = { entityRef: 'component:default/payments', prompt: 'Once', idempotencyKey: 'abc' };
    const first = await request(server).post('/api/agents/sessions').set(asJane).send(body);
    const again = await request(server).post('/api/agents/sessions').set(asJane).send(body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
    const different = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ ...body, prompt: 'Something else' });
    expect(different.status).toBe(409);
    expect(await sessionCount()).toBe(1);
  });

  it.each([
    [
      'an unknown entity',
      { entityRef: 'component:default/nope', prompt: 'x' },
      400,
      'Entity component:default/nope was not found in the catalog',
    ],
    [
      'an entity without a source annotation',
      { entityRef: 'component:default/no-source', prompt: 'x' },
      400,
      'add the backstage.io/source-location annotation',
    ],
    ['an empty prompt', { entityRef: 'component:default/payments', prompt: '' }, 400, 'prompt must not be blank'],
    ['a blank prompt', { entityRef: 'component:default/payments', prompt: ' \n ' }, 400, 'prompt must not be blank'],
    [
      'an oversized prompt',
      { entityRef: 'component:default/payments', prompt: 'x'.repeat(32_001) },
      400,
      'prompt is 32001 characters long; the limit is 32000',
    ],
    [
      'an unknown harness',
      { entityRef: 'component:default/payments', prompt: 'x', harness: 'emacs' },
      400,
      'harness must be equal to one of the allowed values',
    ],
    ['a missing prompt', { entityRef: 'component:default/payments' }, 400, "must have required property 'prompt'"],
    [
      'a malformed entity ref',
      { entityRef: 'component:default/', prompt: 'x' },
      400,
      "entityRef 'component:default/' is not an entity ref",
    ],
    ['an unknown field', { entityRef: 'component:default/payments', prompt: 'x', policy: 'loose' }, 400, 'must NOT have additional properties'],
  ])('refuses %s with a 4xx and writes nothing', async (_what, body, status, message) => {
    const { server } = await startBackend(knex);
    const res = await request(server).post('/api/agents/sessions').set(asJane).send(body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
    expect(await sessionCount()).toBe(0);
  });

  it('refuses malformed list parameters', async () => {
    const { server } = await startBackend(knex);
    const cursor = await request(server).get('/api/agents/sessions').query({ cursor: 'not-a-cursor' }).set(asJane);
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.message).toContain('Malformed cursor');
    const status = await request(server).get('/api/agents/sessions').query({ status: 'running,exploded' }).set(asJane);
    expect(status.status).toBe(400);
    expect(status.body.error.message).toContain("Unknown status 'exploded'");
    const limit = await request(server).get('/api/agents/sessions').query({ limit: 1001 }).set(asJane);
    expect(limit.status).toBe(400);
  });

  it('pages with nextCursor and filters by creator', async () => {
    const { server } = await startBackend(knex);
    for (const prompt of ['one', 'two', 'three']) {
      await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: 'payments', prompt });
    }
    await request(server)
      .post('/api/agents/sessions')
      .set({ Authorization: mockCredentials.user.header('user:default/joe') })
      .send({ entityRef: 'payments', prompt: 'joe' });
    const page1 = await request(server).get('/api/agents/sessions').query({ createdBy: 'me', limit: 2 }).set(asJane);
    expect(page1.body.items.map((s: any) => s.prompt)).toEqual(['three', 'two']);
    const page2 = await request(server)
      .get('/api/agents/sessions')
      .query({ createdBy: 'me', limit: 2, cursor: page1.body.nextCursor })
      .set(asJane);
    expect(page2.body.items.map((s: any) => s.prompt)).toEqual(['one']);
    expect(page2.body.nextCursor).toBeUndefined();
  });

  it('cancels and resumes through the status model', async () => {
    const { server, auditEvents } = await startBackend(knex);
    const { body: session } = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'payments', prompt: 'Work' });

    const early = await request(server).post(`/api/agents/sessions/${session.id}/resume`).set(asJane).send({ prompt: 'More' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('A pending session cannot become pending');

    const cancelled = await request(server).post(`/api/agents/sessions/${session.id}/cancel`).set(asJane);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const twice = await request(server).post(`/api/agents/sessions/${session.id}/cancel`).set(asJane);
    expect(twice.status).toBe(409);

    const blank = await request(server).post(`/api/agents/sessions/${session.id}/resume`).set(asJane).send({ prompt: '' });
    expect(blank.status).toBe(400);
    const resumed = await request(server)
      .post(`/api/agents/sessions/${session.id}/resume`)
      .set(asJane)
      .send({ prompt: 'Now add tests' });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe('pending');
    expect(resumed.body.runs.map((r: any) => r.kind)).toEqual(['initial', 'resume']);
    expect(auditEvents.map(e => `${e.eventId}:${e.outcome}`)).toEqual([
      'session-create:success',
      'session-resume:fail',
      'session-cancel:success',
      'session-cancel:fail',
      'session-resume:fail',
      'session-resume:success',
    ]);

    const missing = await request(server).post('/api/agents/sessions/00000000-0000-4000-8000-000000000000/cancel').set(asJane);
    expect(missing.status).toBe(404);
    const notUuid = await request(server).get('/api/agents/sessions/nope').set(asJane);
    expect(notUuid.status).toBe(400);
  });

  it('answers 401 without credentials', async () => {
    const { server } = await startBackend(knex, {
      features: [mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })],
    });
    const list = await request(server).get('/api/agents/sessions');
    expect(list.status).toBe(401);
    const create = await request(server).post('/api/agents/sessions').send({ entityRef: 'payments', prompt: 'x' });
    expect(create.status).toBe(401);
    expect(await sessionCount()).toBe(0);
  });

  it('answers 403 when the permission policy denies', async () => {
    const allowed = await startBackend(knex);
    const { body: session } = await request(allowed.server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'payments', prompt: 'Work' });
    await allowed.server.stop?.();

    const { server } = await startBackend(knex, {
      permissions: mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
    });
    const create = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: 'payments', prompt: 'x' });
    expect(create.status).toBe(403);
    expect(create.body.error.message).toContain('agents.session.create');
    expect((await request(server).get('/api/agents/sessions').set(asJane)).status).toBe(403);
    expect((await request(server).get(`/api/agents/sessions/${session.id}`).set(asJane)).status).toBe(403);
    expect((await request(server).post(`/api/agents/sessions/${session.id}/cancel`).set(asJane)).status).toBe(403);
    expect((await request(server).get(`/api/agents/sessions/${session.id}/logs`).set(asJane)).status).toBe(403);
    expect(await sessionCount()).toBe(1);
    expect((await knex('agents_sessions').first()).status).toBe('pending');
  });

  it('applies conditional decisions: owners of the entity only', async () => {
    const conditional = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'agents',
          resourceType: 'agents-session',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'agents-session',
            params: { claims: ['group:default/team-a'] },
          },
        })) as any,
    });
    const { server } = await startBackend(knex, { permissions: conditional.factory });
    const mine = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: 'payments', prompt: 'ok' });
    expect(mine.status).toBe(201);
    const theirs = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: 'storefront', prompt: 'no' });
    expect(theirs.status).toBe(403);
    await knex('agents_sessions').insert({
      ...(await knex('agents_sessions').first()),
      seq: undefined,
      id: '11111111-1111-4111-8111-111111111111',
      entity_ref: 'component:default/storefront',
      entity_owner_ref: 'group:default/team-b',
      repo_url: 'https://github.com/example-org/storefront',
      work_branch: 'agents/11111111',
      idempotency_key: null,
    });
    const list = await request(server).get('/api/agents/sessions').set(asJane);
    expect(list.body.items.map((s: any) => s.entityRef)).toEqual(['component:default/payments']);
    const hidden = await request(server).get('/api/agents/sessions/11111111-1111-4111-8111-111111111111').set(asJane);
    expect(hidden.status).toBe(403);
  });

  it('serves a valid OpenAPI document without credentials', async () => {
    const { server } = await startBackend(knex, {
      features: [mockServices.httpAuth.factory({ defaultCredentials: mockCredentials.none() })],
    });
    const res = await request(server).get('/api/agents/openapi.json');
    expect(res.status).toBe(200);
    const doc = await SwaggerParser.validate(res.body);
    expect(Object.keys(doc.paths ?? {})).toEqual(
      expect.arrayContaining(['/api/agents/sessions', '/api/agents/sessions/{id}/logs']),
    );
  });
});
