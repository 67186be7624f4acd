import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, JANE, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/**
 * Entity refs in query strings, as people write them (`component:default/payments`, which curl sends
 * unchanged) and as clients encode them (`component%3Adefault%2Fpayments`), like the catalog API.
 * supertest's `.query()` would encode them, so these tests write the query strings themselves.
 */
describe.each(databases.eachSupportedId())('entity refs in query parameters on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startBackend>>['server'];
  let payments: { id: string };

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ server } = await startBackend(knex));
    const create = async (entityRef: string, prompt: string) => {
      const res = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef, prompt });
      if (res.status !== 201) throw new Error(`Creating a session failed: ${res.status} ${res.text}`);
      return res.body;
    };
    payments = await create('component:default/payments', 'Add refunds');
    await create('component:default/storefront', 'Fix the cart');
  });

  afterAll(async () => {
    await server.stop?.();
    await knex('agents_sessions').delete();
  });

  const get = (pathAndQuery: string) => request(server).get(`/api/agents${pathAndQuery}`).set(asJane);

  it.each([
    ['as written', 'component:default/payments'],
    ['URL-encoded', 'component%3Adefault%2Fpayments'],
    ['partly encoded', 'component:default%2Fpayments'],
    ['in short form', 'payments'],
  ])('lists an entity’s sessions with its ref %s', async (_how, entityRef) => {
    const res = await get(`/sessions?entityRef=${entityRef}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([payments.id]);
  });

  it('takes a creator’s user entity ref as written or encoded', async () => {
    for (const createdBy of [JANE, encodeURIComponent(JANE)]) {
      const res = await get(`/sessions?createdBy=${createdBy}&entityRef=component:default/payments`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((s: { id: string }) => s.id)).toEqual([payments.id]);
    }
    const nobody = await get('/sessions?createdBy=user:default/nobody');
    expect(nobody.status).toBe(200);
    expect(nobody.body.items).toEqual([]);
  });

  it.each([
    ['as written', 'component:default/storefront', 'template:default/fix-issue'],
    ['URL-encoded', 'component%3Adefault%2Fstorefront', 'template%3Adefault%2Ffix-issue'],
  ])('answers launch options for refs %s', async (_how, entityRef, templateRef) => {
    const plain = await get(`/launch-options?entityRef=${entityRef}`);
    expect(plain.status).toBe(200);
    expect(plain.body).toMatchObject({ canCreate: true, policy: { name: 'default' } });
    // The repository, so a client can check it against a local checkout before starting anything.
    expect(plain.body.repository).toEqual({
      url: 'https://github.com/example-org/storefront',
      cloneUrl: 'https://github.com/example-org/storefront',
    });
    const bound = await get(`/launch-options?entityRef=${entityRef}&templateRef=${templateRef}`);
    expect(bound.status).toBe(200);
    expect(bound.body).toMatchObject({ canCreate: true, policy: { name: 'strict' } });
  });

  it.each([
    ['/sessions?entityRef=component:default/', "entityRef 'component:default/' is not an entity ref"],
    ['/sessions?entityRef=component%3Adefault%2F', "entityRef 'component:default/' is not an entity ref"],
    ['/launch-options?entityRef=component:/payments', "entityRef 'component:/payments' is not an entity ref"],
    [
      '/launch-options?entityRef=payments&templateRef=template:default/',
      "templateRef 'template:default/' is not an entity ref",
    ],
  ])('refuses a malformed ref with a 400 that says so: %s', async (pathAndQuery, message) => {
    const res = await get(pathAndQuery);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'InputError' });
    expect(res.body.error.message).toContain(message);
    expect(res.body.error.message).toContain('use kind:namespace/name');
  });

  it('still refuses reserved characters in parameters that are not entity refs', async () => {
    const res = await get('/sessions?parentSessionId=a/b');
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("Parameter 'parentSessionId' must be url encoded");
  });
});
