import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, configWithPolicies, entities, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const config = configWithPolicies({
  sandbox: { allowedHarnesses: ['codex'], egressProfile: 'internet', selectableByEntities: true },
});

/** A component of team-a that chooses a policy by annotation. */
const choosing = (name: string, policy: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'github.com/project-slug': `example-org/${name}`,
      'agents.backstage.io/policy': policy,
    },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

describe.each(databases.eachSupportedId())("an entity's own policy on %p", (databaseId: TestDatabaseId) => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  const start = () =>
    startBackend(knex, {
      config,
      entities: [...entities, choosing('sandboxed', 'sandbox'), choosing('greedy', 'strict'), choosing('typo', 'sandbx')],
    });

  it('runs sessions of the UI and API under the policy the entity chose, unless a template is bound', async () => {
    const { server } = await start();
    const options = await request(server).get('/api/agents/launch-options').query({ entityRef: 'sandboxed' }).set(asJane);
    expect(options.body).toMatchObject({ canCreate: true, policy: { name: 'sandbox', egressProfile: 'internet' } });
    const created = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: 'sandboxed', prompt: 'Try it' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ harness: 'codex', policy: { name: 'sandbox' } });
    const bound = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'sandboxed', prompt: 'Fix it', templateRef: 'template:default/fix-issue' });
    expect(bound.body.policy.name).toBe('strict');
  });

  it.each([
    ['greedy', "asks for agents policy 'strict' (annotation agents.backstage.io/policy), which the platform team has not opened to entities"],
    ['typo', "asks for agents policy 'sandbx' (annotation agents.backstage.io/policy), which is not defined"],
  ])('refuses %s, says why, audits it and writes nothing', async (name, message) => {
    const { server, auditEvents } = await start();
    const res = await request(server).post('/api/agents/sessions').set(asJane).send({ entityRef: name, prompt: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(message);
    expect(auditEvents).toContainEqual(
      expect.objectContaining({ eventId: 'policy-denial', meta: expect.objectContaining({ rule: 'entityPolicy' }) }),
    );
    expect(Number((await knex('agents_sessions').count({ n: '*' }))[0].n)).toBe(0);
    const options = await request(server).get('/api/agents/launch-options').query({ entityRef: name }).set(asJane);
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({ canCreate: false, policy: { name: 'default' } });
    expect(options.body.reason).toContain(message);
  });
});
