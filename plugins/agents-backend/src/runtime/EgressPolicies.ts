import type { LoggerService } from '@backstage/backend-plugin-api';
import type { NetworkingV1Api } from '@kubernetes/client-node';
import { describeApiError, isNotFound } from './kubeErrors';

/** The NetworkPolicy every harness pod relies on: no ingress, no egress unless a profile allows it. */
export const DEFAULT_DENY_POLICY = 'agents-default-deny';
/** The NetworkPolicy of an egress profile, as shipped in deploy/ (and for custom allowlists). */
export const egressPolicyName = (profile: string) => `agents-egress-${profile}`;

const CONFIRMED_FOR_MS = 60_000;

/**
 * Makes sure an egress profile is enforced before a pod runs under it: the default-deny policy and
 * the profile's own NetworkPolicy must exist in the agents namespace. A missing one refuses the
 * launch with a message naming it, rather than running a pod with open or no egress. Presence is
 * re-checked at most once a minute per profile; a missing policy is re-checked on every launch,
 * so applying it fixes launches without a restart.
 */
export class EgressPolicies {
  private readonly confirmed = new Map<string, number>();

  constructor(
    private readonly deps: {
      networking: NetworkingV1Api;
      namespace: string;
      logger: LoggerService;
    },
  ) {}

  /** Names of the policies `profile` needs that are missing. */
  async missing(profile: string): Promise<string[]> {
    const confirmedAt = this.confirmed.get(profile);
    if (confirmedAt && Date.now() - confirmedAt < CONFIRMED_FOR_MS) return [];
    const names = [DEFAULT_DENY_POLICY, egressPolicyName(profile)];
    const missing: string[] = [];
    for (const name of names) {
      try {
        await this.deps.networking.readNamespacedNetworkPolicy({ name, namespace: this.deps.namespace });
      } catch (error) {
        if (isNotFound(error)) missing.push(name);
        else throw new Error(`Cannot check NetworkPolicy ${name}: ${describeApiError(error)}`);
      }
    }
    if (missing.length === 0) this.confirmed.set(profile, Date.now());
    return missing;
  }

  /** Throws a clear error unless `profile` is enforced. */
  async assertEnforced(profile: string): Promise<void> {
    const missing = await this.missing(profile);
    if (missing.length) {
      throw new Error(
        `egress profile '${profile}' is not enforced: NetworkPolicy ${missing.join(' and ')} missing in namespace ${this.deps.namespace}; apply the agents NetworkPolicies from deploy/ (docs/deploy.md)`,
      );
    }
  }

  /** At start-up: reports every profile the policies use that cannot be launched under. */
  async checkAtStartup(profiles: string[]): Promise<void> {
    for (const profile of new Set(profiles)) {
      try {
        const missing = await this.missing(profile);
        if (missing.length) {
          this.deps.logger.error(
            `Sessions under egress profile '${profile}' will be refused: NetworkPolicy ${missing.join(' and ')} missing in namespace ${this.deps.namespace}`,
          );
        }
      } catch (error) {
        this.deps.logger.error(`Checking egress profile '${profile}' failed: ${error}`);
      }
    }
  }
}
