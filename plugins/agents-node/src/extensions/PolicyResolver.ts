import type { AgentsPolicy } from '@backstage-agents/plugin-agents-common';
import type { Entity } from '@backstage/catalog-model';

/** What a policy is resolved for: the entity, and the template when a scaffolder task launches. */
export interface PolicyResolutionRequest {
  entity: Entity;
  templateRef?: string;
}

/**
 * Chooses the policy a session runs under. The caller of the API never picks it: the built-in
 * resolver takes the template's binding from configuration, else the policy the entity's
 * `agents.backstage.io/policy` annotation names among those opened to entities, else the default.
 * A resolver refuses a request by throwing `NotAllowedError` (403) with a message that says what to fix.
 */
export interface PolicyResolver {
  resolve(request: PolicyResolutionRequest): Promise<AgentsPolicy>;
}
