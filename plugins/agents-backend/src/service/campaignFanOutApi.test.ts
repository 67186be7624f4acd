import { mockServices, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, entities, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/** The campaign template, owned by team-a, with no repository of its own. */
const template: Entity = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'campaign', namespace: 'default' },
  spec: { type: 'campaign', owner: 'team-a' },
};
const ledger: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'ledger', namespace: 'default', annotations: { 'github.com/project-slug': 'example-org/ledger' } },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

/** Jane may use only what team-a owns: payments, ledger and the template, not team-b's storefront. */
const teamAOnly = mockServices.permissions.mock({
  authorizeConditional: async requests =>
    requests.map(() => ({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'agents',
      resourceType: 'agents-session',
      conditions: { rule: 'IS_ENTITY_OWNER', resourceType: 'agents-session', params: { claims: ['group:default/team-a'] } },
    })) as any,
});

describe.each(databases.eachSupportedId())('campaign fan-outs through the API on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startBackend>>;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBackend(knex, { entities: [...entities, template, ledger], permissions: teamAOnly.factory });
  });

  afterAll(async () => {
    await backend.server.stop?.();
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  const post = (body: object) => request(backend.server).post('/api/agents/sessions').set(asJane).send(body);
  const newCampaign = async () => {
    const res = await post({
      entityRef: 'template:default/campaign',
      templateRef: 'template:default/campaign',
      prompt: 'Upgrade to Java 21',
      kind: 'fanout',
      origin: 'campaign',
    });
    expect(res.status).toBe(201);
    return res.body;
  };

  it('groups sessions on different entities, each on its own repository', async () => {
    const campaign = await newCampaign();
    expect(campaign).toMatchObject({ kind: 'fanout', entityRef: 'template:default/campaign', origin: { kind: 'campaign' }, repoUrl: '' });

    for (const entityRef of ['component:default/payments', 'component:default/ledger']) {
      const res = await post({ entityRef, prompt: 'Upgrade to Java 21', parentSessionId: campaign.id, origin: 'campaign' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ entityRef, parentSessionId: campaign.id, kind: 'agent' });
    }
    const children = await request(backend.server)
      .get(`/api/agents/sessions?parentSessionId=${campaign.id}`)
      .set(asJane);
    expect(children.body.items.map((s: any) => [s.entityRef, s.repoUrl]).sort()).toEqual([
      ['component:default/ledger', 'https://github.com/example-org/ledger'],
      ['component:default/payments', 'https://github.com/example-org/payments'],
    ]);
  });

  it('refuses a child on an entity the caller may not use, and writes nothing for it', async () => {
    const campaign = await newCampaign();
    const res = await post({
      entityRef: 'component:default/storefront',
      prompt: 'Upgrade to Java 21',
      parentSessionId: campaign.id,
      origin: 'campaign',
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('component:default/storefront');
    expect(Number((await knex('agents_sessions').where({ parent_session_id: campaign.id }).count({ n: '*' }))[0].n)).toBe(0);
  });

  it('keeps other fan-outs to one entity, and campaigns out of waves', async () => {
    const fanOut = await post({ entityRef: 'component:default/payments', prompt: 'Implement', kind: 'fanout' });
    const res = await post({ entityRef: 'component:default/ledger', prompt: 'T001', parentSessionId: fanOut.body.id });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('only a campaign fan-out, origin campaign, groups sessions across entities');

    const waves = await post({
      entityRef: 'template:default/campaign',
      prompt: 'Upgrade',
      kind: 'fanout',
      origin: 'campaign',
      integrationBranch: 'campaign/integration',
    });
    expect(waves.status).toBe(400);
    expect(waves.body.error.message).toContain('cannot run in waves');
  });
});
