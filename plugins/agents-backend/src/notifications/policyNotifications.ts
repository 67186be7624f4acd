import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { PolicyNotifications } from '@backstage-agents/plugin-agents-common';

/** The outcomes a policy may notify on: the terminal statuses. */
export const NOTIFIABLE_OUTCOMES: readonly PolicyNotifications['on'][number][] = [
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

/**
 * What a policy notifies when configuration says nothing. A cancel is left out: it is the user's
 * own doing (or their fan-out's), so telling them about it is noise.
 */
export const DEFAULT_POLICY_NOTIFICATIONS: PolicyNotifications = {
  enabled: true,
  on: ['succeeded', 'failed', 'timed_out'],
};

/** `agents.policies.<name>.notifications`, over what the policy inherits. */
export function readPolicyNotifications(
  policyConfig: Config,
  policyName: string,
  base: PolicyNotifications = DEFAULT_POLICY_NOTIFICATIONS,
): PolicyNotifications {
  const config = policyConfig.getOptionalConfig('notifications');
  if (!config) return base;
  const on = config.getOptionalStringArray('on');
  for (const outcome of on ?? []) {
    if (!(NOTIFIABLE_OUTCOMES as readonly string[]).includes(outcome)) {
      throw new InputError(
        `agents.policies.${policyName}.notifications.on names '${outcome}', which is not an outcome of a session; use ${NOTIFIABLE_OUTCOMES.join(', ')}`,
      );
    }
  }
  return {
    enabled: config.getOptionalBoolean('enabled') ?? base.enabled,
    on: (on as PolicyNotifications['on'] | undefined) ?? base.on,
  };
}

/**
 * The notification settings stored in a session's policy snapshot; snapshots taken before policies
 * had them get the default, as later config changes do not rewrite a session's policy.
 */
export function notificationsOfSnapshot(snapshot: Record<string, unknown>): PolicyNotifications {
  const stored = snapshot.notifications as Partial<PolicyNotifications> | undefined;
  return {
    enabled: stored?.enabled ?? DEFAULT_POLICY_NOTIFICATIONS.enabled,
    on: stored?.on ?? DEFAULT_POLICY_NOTIFICATIONS.on,
  };
}
