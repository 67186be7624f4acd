import { stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  HARNESS_NAMES,
  isHarnessName,
  SESSION_LIMITS,
  type AgentsPolicy,
  type HarnessName,
} from '@backstage-agents/plugin-agents-common';
import type {
  PolicyResolutionRequest,
  PolicyResolver,
} from '@backstage-agents/plugin-agents-node';
import { readDurationFromConfig } from '@backstage/config';
import { Duration } from 'luxon';
import { ANNOTATION_AGENTS_POLICY, entityPolicyName } from './entityPolicy';
import { PolicyDeniedError } from './PolicyDeniedError';
import { DEFAULT_LOG_LINES_PER_SECOND } from '../logs/LogFloodCap';
import {
  DEFAULT_POLICY_NOTIFICATIONS,
  readPolicyNotifications,
} from '../notifications/policyNotifications';

/** The real coding agents; `demo` is only offered where configuration enables it. */
const REAL_HARNESSES = HARNESS_NAMES.filter(h => h !== 'demo');

/** What a policy is when configuration says nothing: locked down, one hour, modest resources. */
const DEFAULT_POLICY: AgentsPolicy = {
  name: 'default',
  allowedHarnesses: REAL_HARNESSES,
  defaultHarness: 'opencode',
  egressProfile: 'github-only',
  resources: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi' },
  timeoutSeconds: 3600,
  draftPullRequest: true,
  maxBundleBytes: 1024 ** 3,
  logLinesPerSecond: DEFAULT_LOG_LINES_PER_SECOND,
  notifications: DEFAULT_POLICY_NOTIFICATIONS,
};

/**
 * Resolves policies from `agents.policies.<name>`: a template bound by `agents.templatePolicies` gets
 * its policy; otherwise an entity may choose one the platform team opened to entities
 * (`selectableByEntities`) with the `agents.backstage.io/policy` annotation; everything else gets
 * `default`. Read once at start-up, so a mistake in the configuration stops the backend instead of
 * surfacing on a user's request.
 */
export class ConfigPolicyResolver implements PolicyResolver {
  private constructor(
    private readonly policies: Map<string, AgentsPolicy>,
    private readonly templateBindings: Map<string, string>,
    /** The policies entities may choose by annotation. */
    private readonly entitySelectable: Set<string>,
  ) {}

  static fromConfig(config: Config): ConfigPolicyResolver {
    const policiesConfig = config.getOptionalConfig('agents.policies');
    const policies = new Map<string, AgentsPolicy>();
    const defaults = policiesConfig?.getOptionalConfig('default');
    const base = defaults ? readPolicy('default', defaults, DEFAULT_POLICY) : DEFAULT_POLICY;
    policies.set('default', base);
    const entitySelectable = new Set<string>(['default']);
    for (const name of policiesConfig?.keys() ?? []) {
      if (name === 'default') continue;
      const policyConfig = policiesConfig!.getConfig(name);
      policies.set(name, readPolicy(name, policyConfig, base));
      if (policyConfig.getOptionalBoolean('selectableByEntities')) entitySelectable.add(name);
    }
    // The demo harness changes code without any model: never let it run where it isn't wanted.
    if (!config.getOptionalBoolean('agents.harnesses.demo.enabled')) {
      for (const policy of policies.values()) {
        if (policy.allowedHarnesses.includes('demo')) {
          throw new Error(
            `agents.policies.${policy.name} allows the demo harness, which is for development only; set agents.harnesses.demo.enabled: true to use it (never in production)`,
          );
        }
      }
    }

    // A list, not a map: template refs contain ':' and '/', which config keys cannot.
    const bindings = new Map<string, string>();
    for (const binding of config.getOptionalConfigArray('agents.templatePolicies') ?? []) {
      const templateRef = binding.getString('template');
      const policyName = binding.getString('policy');
      if (!policies.has(policyName)) {
        throw new Error(
          `agents.templatePolicies binds ${templateRef} to policy '${policyName}', which is not defined under agents.policies`,
        );
      }
      bindings.set(templateRef, policyName);
    }
    return new ConfigPolicyResolver(policies, bindings, entitySelectable);
  }

  /** The egress profiles the configured policies use: the backend checks they are enforced. */
  egressProfiles(): string[] {
    return [...new Set([...this.policies.values()].map(p => p.egressProfile))];
  }

  async resolve(request: PolicyResolutionRequest): Promise<AgentsPolicy> {
    const bound = request.templateRef
      ? this.templateBindings.get(request.templateRef)
      : undefined;
    if (bound) return this.policies.get(bound)!;
    const chosen = entityPolicyName(request.entity);
    if (!chosen) return this.policies.get('default')!;
    const entity = stringifyEntityRef(request.entity);
    if (!this.policies.has(chosen)) {
      throw new PolicyDeniedError(
        `${entity} asks for agents policy '${chosen}' (annotation ${ANNOTATION_AGENTS_POLICY}), which is not defined; fix or remove the annotation`,
        chosen,
        'entityPolicy',
      );
    }
    if (!this.entitySelectable.has(chosen)) {
      throw new PolicyDeniedError(
        `${entity} asks for agents policy '${chosen}' (annotation ${ANNOTATION_AGENTS_POLICY}), which the platform team has not opened to entities (selectableByEntities); remove the annotation or ask them to`,
        chosen,
        'entityPolicy',
      );
    }
    return this.policies.get(chosen)!;
  }
}

function readPolicy(
  name: string,
  config: Config,
  base: AgentsPolicy,
): AgentsPolicy {
  const allowed = config.getOptionalStringArray('allowedHarnesses');
  for (const harness of allowed ?? []) {
    if (!isHarnessName(harness)) {
      throw new InputError(
        `agents.policies.${name}.allowedHarnesses names unknown harness '${harness}'; known: ${HARNESS_NAMES.join(', ')}`,
      );
    }
  }
  const allowedHarnesses = (allowed as HarnessName[] | undefined) ?? base.allowedHarnesses;
  const defaultHarness = (config.getOptionalString('defaultHarness') ??
    (allowedHarnesses.includes(base.defaultHarness)
      ? base.defaultHarness
      : allowedHarnesses[0])) as HarnessName;
  if (!allowedHarnesses.includes(defaultHarness)) {
    throw new InputError(
      `agents.policies.${name}.defaultHarness '${defaultHarness}' is not among its allowedHarnesses`,
    );
  }
  const timeoutSeconds = config.has('timeout')
    ? Duration.fromObject(readDurationFromConfig(config, { key: 'timeout' })).as('seconds')
    : base.timeoutSeconds;
  return {
    name,
    allowedHarnesses,
    defaultHarness,
    egressProfile: config.getOptionalString('egressProfile') ?? base.egressProfile,
    image: config.getOptionalString('image') ?? base.image,
    resources: {
      cpu: config.getOptionalString('resources.cpu') ?? base.resources.cpu,
      memory: config.getOptionalString('resources.memory') ?? base.resources.memory,
      ephemeralStorage:
        config.getOptionalString('resources.ephemeralStorage') ??
        base.resources.ephemeralStorage,
    },
    timeoutSeconds,
    runtimeClassName:
      config.getOptionalString('runtimeClassName') ?? base.runtimeClassName,
    maxConcurrentPerEntity:
      readCap(config, 'maxConcurrentPerEntity', name) ?? base.maxConcurrentPerEntity,
    maxConcurrentGlobal:
      readCap(config, 'maxConcurrentGlobal', name) ?? base.maxConcurrentGlobal,
    maxConcurrentPerOwner:
      readCap(config, 'maxConcurrentPerOwner', name) ?? base.maxConcurrentPerOwner,
    maxPromptLength: readMaxPromptLength(config, name) ?? base.maxPromptLength,
    draftPullRequest:
      config.getOptionalBoolean('draftPullRequest') ?? base.draftPullRequest,
    maxBundleBytes: config.has('maxBundleSize')
      ? readByteSize(config, 'maxBundleSize', name)
      : base.maxBundleBytes,
    logLinesPerSecond: readCap(config, 'logLinesPerSecond', name) ?? base.logLinesPerSecond,
    notifications: readPolicyNotifications(config, name, base.notifications),
  };
}

/**
 * A concurrency cap or a rate: a whole number of at least 1 (a cap of 0 would queue every session
 * for ever; a log limit of 0 would keep no line at all).
 */
function readCap(config: Config, key: string, policy: string): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InputError(`agents.policies.${policy}.${key} must be a whole number of at least 1, not ${value}`);
  }
  return value;
}

function readMaxPromptLength(config: Config, policy: string): number | undefined {
  const value = config.getOptionalNumber('maxPromptLength');
  if (
    value !== undefined &&
    (!Number.isInteger(value) || value < 1 || value > SESSION_LIMITS.maxPromptLength)
  ) {
    throw new InputError(
      `agents.policies.${policy}.maxPromptLength must be a whole number from 1 to ${SESSION_LIMITS.maxPromptLength}, not ${value}`,
    );
  }
  return value;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** A size as a number of bytes or a Kubernetes-style quantity such as `512Mi` or `2G`. */
function readByteSize(config: Config, key: string, policy: string): number {
  const value = config.get(key);
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^(\d+)(Ki|Mi|Gi|K|M|G)?$/.exec(value.trim()) : null;
  if (!match) {
    throw new InputError(
      `agents.policies.${policy}.${key} must be a number of bytes or a quantity like 512Mi or 1Gi, not ${JSON.stringify(value)}`,
    );
  }
  return Number(match[1]) * BYTE_UNITS[match[2] ?? ''];
}
