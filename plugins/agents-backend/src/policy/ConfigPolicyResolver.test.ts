import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { ConfigPolicyResolver } from './ConfigPolicyResolver';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments' },
};

const withPolicy = (name: string): Entity => ({
  ...entity,
  metadata: { ...entity.metadata, annotations: { 'agents.backstage.io/policy': name } },
});

describe('ConfigPolicyResolver', () => {
  it('gives a locked-down default when nothing is configured', async () => {
    const resolver = ConfigPolicyResolver.fromConfig(new ConfigReader({}));
    expect(await resolver.resolve({ entity })).toMatchObject({
      name: 'default',
      defaultHarness: 'opencode',
      egressProfile: 'github-only',
      timeoutSeconds: 3600,
      draftPullRequest: true,
    });
  });

  it('limits a log to 1,000 lines/s unless a policy says otherwise, inheriting from default', async () => {
    expect((await ConfigPolicyResolver.fromConfig(new ConfigReader({})).resolve({ entity })).logLinesPerSecond).toBe(1000);
    const resolver = ConfigPolicyResolver.fromConfig(
      new ConfigReader({
        agents: {
          policies: { default: { logLinesPerSecond: 200 }, verbose: { logLinesPerSecond: 5000 }, other: {} },
          templatePolicies: [
            { template: 'template:default/verbose', policy: 'verbose' },
            { template: 'template:default/other', policy: 'other' },
          ],
        },
      }),
    );
    expect((await resolver.resolve({ entity })).logLinesPerSecond).toBe(200);
    expect((await resolver.resolve({ entity, templateRef: 'template:default/verbose' })).logLinesPerSecond).toBe(5000);
    expect((await resolver.resolve({ entity, templateRef: 'template:default/other' })).logLinesPerSecond).toBe(200);
    expect(() =>
      ConfigPolicyResolver.fromConfig(new ConfigReader({ agents: { policies: { noisy: { logLinesPerSecond: 0 } } } })),
    ).toThrow(/agents.policies.noisy.logLinesPerSecond must be a whole number of at least 1/);
  });

  it('lets named policies inherit from default and binds templates to them', async () => {
    const resolver = ConfigPolicyResolver.fromConfig(
      new ConfigReader({
        agents: {
          policies: {
            default: { timeout: { minutes: 20 }, resources: { memory: '2Gi' } },
            speckit: { allowedHarnesses: ['claude-code', 'codex'], egressProfile: 'internet' },
          },
          templatePolicies: [{ template: 'template:default/spec', policy: 'speckit' }],
        },
      }),
    );
    const bound = await resolver.resolve({ entity, templateRef: 'template:default/spec' });
    expect(bound).toMatchObject({
      name: 'speckit',
      allowedHarnesses: ['claude-code', 'codex'],
      defaultHarness: 'claude-code',
      egressProfile: 'internet',
      timeoutSeconds: 1200,
      resources: { cpu: '2', memory: '2Gi', ephemeralStorage: '10Gi' },
    });
    const unbound = await resolver.resolve({ entity, templateRef: 'template:default/other' });
    expect(unbound.name).toBe('default');
  });

  it('refuses configuration mistakes at start-up', () => {
    const load = (agents: object) => () => ConfigPolicyResolver.fromConfig(new ConfigReader({ agents }));
    expect(load({ policies: { default: { allowedHarnesses: ['vim'] } } })).toThrow(
      "unknown harness 'vim'",
    );
    expect(
      load({ policies: { x: { allowedHarnesses: ['codex'], defaultHarness: 'opencode' } } }),
    ).toThrow("defaultHarness 'opencode' is not among its allowedHarnesses");
    expect(load({ templatePolicies: [{ template: 'template:default/t', policy: 'missing' }] })).toThrow(
      "policy 'missing', which is not defined",
    );
  });

  it("lets an entity choose a policy opened to entities, which a template binding overrides", async () => {
    const resolver = ConfigPolicyResolver.fromConfig(
      new ConfigReader({
        agents: {
          policies: {
            open: { egressProfile: 'internet', selectableByEntities: true },
            locked: { egressProfile: 'github-only', timeout: { minutes: 5 } },
          },
          templatePolicies: [{ template: 'template:default/spec', policy: 'locked' }],
        },
      }),
    );
    expect((await resolver.resolve({ entity: withPolicy('open') })).name).toBe('open');
    expect((await resolver.resolve({ entity: withPolicy('default') })).name).toBe('default');
    expect((await resolver.resolve({ entity: withPolicy('open'), templateRef: 'template:default/spec' })).name).toBe(
      'locked',
    );
    await expect(resolver.resolve({ entity: withPolicy('locked') })).rejects.toMatchObject({
      name: 'NotAllowedError',
      policy: 'locked',
      rule: 'entityPolicy',
      message: expect.stringContaining('has not opened to entities (selectableByEntities)'),
    });
    await expect(resolver.resolve({ entity: withPolicy('nope') })).rejects.toThrow(
      "component:default/payments asks for agents policy 'nope' (annotation agents.backstage.io/policy), which is not defined",
    );
  });
});
