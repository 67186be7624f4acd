import type { AgentsCreateSessionRequest } from '@backstage-agents/plugin-agents-common';
import { errorReply, FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createCampaignLaunchAction } from './campaignLaunch';
import { parseCampaignFilter } from './campaignFilter';
import type { AgentsActionsOptions } from './shared';

const component = (name: string, extra: { tags?: string[]; lifecycle?: string; slug?: boolean } = {}): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    tags: extra.tags ?? ['java'],
    annotations: extra.slug === false ? {} : { 'github.com/project-slug': `example-org/${name}` },
  },
  spec: { type: 'service', owner: 'group:default/team-a', lifecycle: extra.lifecycle ?? 'production' },
});

/** Three production Java components with repositories, and around them what the filter must leave out or skip. */
const entities: Entity[] = [
  component('billing'),
  component('ledger'),
  component('payments'),
  component('legacy-batch', { slug: false }),
  component('prototype', { lifecycle: 'experimental' }),
  component('storefront', { tags: ['typescript'] }),
];

const FILTER = 'kind=component,spec.lifecycle=production,metadata.tags=java';
const PROMPT = 'Upgrade the build to Java 21.';

describe('agents:campaign:launch', () => {
  let fake: FakeAgentsApi;
  let options: AgentsActionsOptions;

  beforeEach(async () => {
    fake = new FakeAgentsApi();
    await fake.listen();
    options = {
      discovery: { getBaseUrl: fake.discoveryApi.getBaseUrl, getExternalBaseUrl: fake.discoveryApi.getBaseUrl },
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      config: new ConfigReader({ app: { baseUrl: 'http://localhost:3000' } }),
      catalog: catalogServiceMock({ entities }),
      urlReader: { readUrl: jest.fn(), readTree: jest.fn(), search: jest.fn() },
      pollIntervalMs: 1,
    };
  });

  afterEach(async () => {
    await fake.close();
    fake.assertNoViolations();
  });

  const context = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...createMockActionContext({
      input: input as any,
      templateInfo: { entityRef: 'template:default/campaign', baseUrl: 'file:///tmp' } as any,
    }),
    ...extra,
  });
  const outputs = (ctx: { output: unknown }) =>
    Object.fromEntries((ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]));
  const creates = () => fake.requestsOf('CreateSession').map(r => r.body as AgentsCreateSessionRequest);

  it('starts one session per selected component under one campaign fan-out, and skips those without a repository', async () => {
    const ctx = context({ filter: FILTER, prompt: PROMPT });
    await createCampaignLaunchAction(options).handler(ctx as any);

    const [fanOut, ...children] = creates();
    expect(fanOut).toEqual({
      entityRef: 'template:default/campaign',
      prompt: `Campaign over 3 entities (${FILTER}), one agent session each: ${PROMPT}`,
      kind: 'fanout',
      origin: 'campaign',
      templateRef: 'template:default/campaign',
      idempotencyKey: 'scaffolder:mock-task-id:mock-step-id:campaign',
    });
    const fanOutId = fake.sessions.find(s => s.kind === 'fanout')!.id;
    expect(children).toEqual(
      ['billing', 'ledger', 'payments'].map(name => ({
        entityRef: `component:default/${name}`,
        prompt: PROMPT,
        templateRef: 'template:default/campaign',
        parentSessionId: fanOutId,
        origin: 'campaign',
        taskId: `component:default/${name}`,
        idempotencyKey: `scaffolder:mock-task-id:mock-step-id:component:default/${name}`,
      })),
    );
    const out = outputs(ctx);
    expect(out.fanOutSessionId).toBe(fanOutId);
    expect(out.sessions.map((s: any) => [s.entityRef, s.status])).toEqual([
      ['component:default/billing', 'pending'],
      ['component:default/ledger', 'pending'],
      ['component:default/payments', 'pending'],
    ]);
    expect(out.skipped).toEqual([
      {
        entityRef: 'component:default/legacy-batch',
        reason: 'no repository: it has no backstage.io/source-location or github.com/project-slug annotation',
      },
    ]);
  });

  it('starts nothing more when the task is retried', async () => {
    const action = createCampaignLaunchAction(options);
    await action.handler(context({ filter: FILTER, prompt: PROMPT }) as any);
    const again = context({ filter: FILTER, prompt: PROMPT });
    await action.handler(again as any);
    expect(fake.sessions).toHaveLength(4);
    expect(outputs(again).sessions).toHaveLength(3);
  });

  it('refuses more entities than maxSessions, starting nothing', async () => {
    const ctx = context({ filter: FILTER, prompt: PROMPT, maxSessions: 2 });
    await expect(createCampaignLaunchAction(options).handler(ctx as any)).rejects.toThrow(
      `Filter ${FILTER} selects 3 entities with a repository, more than maxSessions (2); narrow the filter or raise maxSessions. Nothing was started.`,
    );
    expect(fake.requests).toHaveLength(0);
  });

  it("reports an entity the backend refuses and carries on with the others, then fails naming it", async () => {
    fake.intercept('CreateSession', ({ body }) =>
      (body as AgentsCreateSessionRequest).entityRef === 'component:default/ledger'
        ? errorReply(403, 'NotAllowedError', 'group:default/team-a has used its agents budget of $10.00 a month')
        : undefined,
    );
    const ctx = context({ filter: FILTER, prompt: PROMPT });
    await expect(createCampaignLaunchAction(options).handler(ctx as any)).rejects.toThrow(
      'Started 2 of 3 campaign sessions; the backend refused 1: component:default/ledger (group:default/team-a has used its agents budget of $10.00 a month). Fix those and retry the task: it starts only the missing ones.',
    );
    expect(outputs(ctx).sessions.map((s: any) => s.entityRef)).toEqual(['component:default/billing', 'component:default/payments']);
  });

  it('takes a structured filter and puts the fan-out on a chosen entity', async () => {
    const ctx = context({
      filter: { kind: 'component', 'metadata.tags': 'typescript' },
      prompt: 'Enable strict mode.',
      groupEntityRef: 'group:default/team-a',
    });
    await createCampaignLaunchAction(options).handler(ctx as any);
    expect(creates().map(c => [c.kind ?? 'agent', c.entityRef])).toEqual([
      ['fanout', 'group:default/team-a'],
      ['agent', 'component:default/storefront'],
    ]);
  });

  it('lists what it would start in a dry run, calling nothing', async () => {
    const ctx = context({ filter: FILTER, prompt: PROMPT }, { isDryRun: true });
    await createCampaignLaunchAction(options).handler(ctx as any);
    expect(fake.requests).toHaveLength(0);
    expect(outputs(ctx).sessions.map((s: any) => [s.entityRef, s.status])).toEqual([
      ['component:default/billing', 'dry-run'],
      ['component:default/ledger', 'dry-run'],
      ['component:default/payments', 'dry-run'],
    ]);
  });

  it('runs its examples', async () => {
    const action = createCampaignLaunchAction(options);
    for (const example of action.examples!) {
      for (const step of yaml.parse(example.example).steps) {
        expect(step.action).toBe('agents:campaign:launch');
        await action.handler(context(step.input, { task: { id: example.description } }) as any);
      }
    }
    expect(fake.sessions.filter(s => s.kind === 'fanout')).toHaveLength(2);
  });
});

describe('parseCampaignFilter', () => {
  it('reads key=value pairs, a repeated key as any of its values, and objects and lists', () => {
    expect(parseCampaignFilter('kind=component, spec.lifecycle=production,metadata.tags=java,metadata.tags=kotlin')).toEqual([
      { kind: 'component', 'spec.lifecycle': 'production', 'metadata.tags': ['java', 'kotlin'] },
    ]);
    expect(parseCampaignFilter([{ kind: 'component', 'spec.owner': ['team-a', 'team-b'] }, 'kind=api'])).toEqual([
      { kind: 'component', 'spec.owner': ['team-a', 'team-b'] },
      { kind: 'api' },
    ]);
  });

  it('refuses what is not a filter, or would select the whole catalog', () => {
    expect(() => parseCampaignFilter('kind')).toThrow("filter part 'kind' is not key=value");
    expect(() => parseCampaignFilter(' , ')).toThrow('it would select the whole catalog');
    expect(() => parseCampaignFilter({})).toThrow('it would select the whole catalog');
    expect(() => parseCampaignFilter({ kind: '' })).toThrow("filter key 'kind' must have a non-empty string value");
    expect(() => parseCampaignFilter('spec owner=x')).toThrow("filter key 'spec owner' is not an entity field");
  });
});

describe('the campaign example template', () => {
  it('is a v1beta3 template whose one step is the campaign action, registered in app-config.yaml', () => {
    const root = path.join(__dirname, '../../../..');
    const template = yaml.parse(fs.readFileSync(path.join(root, 'examples/templates/campaign/template.yaml'), 'utf8'));
    expect(template).toMatchObject({ apiVersion: 'scaffolder.backstage.io/v1beta3', kind: 'Template', metadata: { name: 'campaign' } });
    expect(template.spec.steps.map((s: { action: string }) => s.action)).toEqual(['agents:campaign:launch']);
    expect(Object.keys(template.spec.steps[0].input).sort()).toEqual(
      ['filter', 'groupEntityRef', 'harness', 'maxSessions', 'prompt'],
    );
    expect(fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8')).toContain(
      'target: ../../examples/templates/campaign/template.yaml',
    );
  });
});
