import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/**
 * Inputs of the kinds the API fuzzer (apiFuzz.test.ts) sends, pinned as plain cases: each is
 * refused with a 4xx that says what to fix, or served, and never fails the server or leaves rows behind.
 */
describe.each(databases.eachSupportedId())('hostile inputs on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startBackend>>['server'];
  let sessionId: string;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ server } = await startBackend(knex));
    const res = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'component:default/payments', prompt: 'Add refunds' });
    if (res.status !== 201) throw new Error(`Creating a session failed: ${res.status} ${res.text}`);
    sessionId = res.body.id;
  });

  afterAll(async () => {
    await server.stop?.();
    await knex('agents_sessions').delete();
  });

  const rows = async () => Number((await knex('agents_sessions').count({ n: '*' }))[0].n);
  const create = (body: object) => request(server).post('/api/agents/sessions').set(asJane).send(body);
  const payments = 'component:default/payments';

  it.each([
    ['a NUL character', 'Fix\u0000 it'],
    ['a lone surrogate', 'Fix \ud800 it'],
  ])('refuses a prompt with %s, which no database column takes as text', async (_what, prompt) => {
    const before = await rows();
    const res = await create({ entityRef: payments, prompt });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(/prompt/);
    expect(await rows()).toBe(before);
  });

  it('takes right-to-left text and emoji in a prompt', async () => {
    const res = await create({ entityRef: payments, prompt: '\u202Eשלום 😀👩‍👩‍👧‍👦 مرحبا' });
    expect(res.status).toBe(201);
    expect(res.body.prompt).toBe('\u202Eשלום 😀👩‍👩‍👧‍👦 مرحبا');
  });

  it.each([
    ['a NUL character', 'feature/a\u0000b'],
    ['parent-directory segments', 'refs/heads/..'],
    ['a space', 'feature branch'],
    ['git’s special characters', 'a~b^c:d?e*f[g\\h'],
  ])('refuses a work branch with %s', async (_what, workBranch) => {
    const before = await rows();
    const res = await create({ entityRef: payments, prompt: 'Add refunds', workBranch });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/workBranch/);
    expect(await rows()).toBe(before);
  });

  it('refuses a NUL in an idempotency key or a task id', async () => {
    const before = await rows();
    for (const extra of [{ idempotencyKey: 'key\u0000' }, { taskId: 'T\u00001' }]) {
      const res = await create({ entityRef: payments, prompt: 'Add refunds', ...extra });
      expect(res.status).toBe(400);
    }
    expect(await rows()).toBe(before);
  });

  it('refuses a `__proto__` field as an unknown one', async () => {
    const res = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .set('content-type', 'application/json')
      .send('{"entityRef":"component:default/payments","prompt":"x","__proto__":{"createdBy":"user:default/admin"}}');
    expect(res.status).toBe(400);
  });

  it.each([
    ['/sessions?entityRef=%00'],
    ['/sessions?status=%00'],
    ['/sessions?createdBy=user:default/%00'],
    ['/sessions?cursor=%00'],
    ['/sessions?entityRef[x]=1'],
    ['/sessions?status=pending&status=running'],
    ['/launch-options?entityRef=component:default/pay%00ments'],
    ['/usage?ownerRef=%00'],
    ['/usage?from=2026-02-30'],
  ])('answers %s with a 4xx', async pathAndQuery => {
    const res = await request(server).get(`/api/agents${pathAndQuery}`).set(asJane);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it.each([
    ['%2e%2e%2f', '%2e%2e%2f'],
    ['..%2F', '..%2F'],
    ['%00', '%00'],
    ['of 10,000 characters', 'a'.repeat(10_000)],
    [';', ';'],
  ])('answers a session id %s with a 4xx', async (_what, id) => {
    for (const path of [`/sessions/${id}`, `/sessions/${id}/logs`]) {
      const res = await request(server).get(`/api/agents${path}`).set(asJane);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    const res = await request(server).post(`/api/agents/sessions/${id}/resume`).set(asJane).send({ prompt: 'x' });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses a NUL in a follow-up prompt, keeping the session as it was', async () => {
    await request(server).post(`/api/agents/sessions/${sessionId}/cancel`).set(asJane);
    const runs = Number((await knex('agents_runs').count({ n: '*' }))[0].n);
    const res = await request(server).post(`/api/agents/sessions/${sessionId}/resume`).set(asJane).send({ prompt: 'go\u0000on' });
    expect(res.status).toBe(400);
    expect(Number((await knex('agents_runs').count({ n: '*' }))[0].n)).toBe(runs);
  });

  it.each([
    ['a body nested 5,000 levels deep', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, ''],
    ['a body nested 5,000 levels deep, with a prototype path in the query', `${'['.repeat(5000)}${']'.repeat(5000)}`, '?constructor[prototype][x]=1'],
  ])('refuses %s with a 400, not a stack overflow', async (_what, body, query) => {
    const runs = Number((await knex('agents_runs').count({ n: '*' }))[0].n);
    const res = await request(server)
      .post(`/api/agents/sessions/${sessionId}/resume${query}`)
      .set(asJane)
      .set('content-type', 'application/json')
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/nested more than 64 levels/);
    expect(Number((await knex('agents_runs').count({ n: '*' }))[0].n)).toBe(runs);
  });
});
