import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { ConfigPolicyResolver } from '../policy/ConfigPolicyResolver';
import { notificationsOfSnapshot } from './policyNotifications';

const entity: Entity = { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'payments' } };
const resolverFor = (policies: object) =>
  ConfigPolicyResolver.fromConfig(
    new ConfigReader({
      agents: { policies, templatePolicies: [{ template: 'template:default/spec', policy: 'quiet' }] },
    }),
  );

describe('policy notifications', () => {
  it('notify successes, failures and timeouts by default, not cancels', async () => {
    const policy = await ConfigPolicyResolver.fromConfig(new ConfigReader({})).resolve({ entity });
    expect(policy.notifications).toEqual({ enabled: true, on: ['succeeded', 'failed', 'timed_out'] });
  });

  it('are set per policy and inherited from default', async () => {
    const resolver = resolverFor({
      default: { notifications: { on: ['failed', 'timed_out', 'cancelled'] } },
      quiet: { notifications: { enabled: false } },
    });
    expect((await resolver.resolve({ entity })).notifications).toEqual({
      enabled: true,
      on: ['failed', 'timed_out', 'cancelled'],
    });
    expect((await resolver.resolve({ entity, templateRef: 'template:default/spec' })).notifications).toEqual({
      enabled: false,
      on: ['failed', 'timed_out', 'cancelled'],
    });
  });

  it('refuse an outcome that is not a terminal status at start-up', () => {
    expect(() => resolverFor({ quiet: { notifications: { on: ['running'] } } })).toThrow(
      "agents.policies.quiet.notifications.on names 'running'",
    );
  });

  it("are the default for sessions whose policy snapshot predates them", () => {
    expect(notificationsOfSnapshot({ name: 'default', timeoutSeconds: 60 })).toEqual({
      enabled: true,
      on: ['succeeded', 'failed', 'timed_out'],
    });
    expect(notificationsOfSnapshot({ notifications: { enabled: false, on: [] } })).toEqual({ enabled: false, on: [] });
  });
});
