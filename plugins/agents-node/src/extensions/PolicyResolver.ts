import type { AgentsPolicy } from '@backstage-agents/plugin-agents-common';
import type { Entity } from '@backstage/catalog-model';

/** What a policy is resolved for: the entity, and the template when a scaffolder task launches. */
export interface PolicyResolutionRequest {
  entity: Entity;
  templateRef?: string;
}

/**
 * Chooses the policy a session runs under. The caller never picks it: the platform team binds
 * templates to policies in configuration, and everything else gets the default policy.
 */
export interface PolicyResolver {
  resolve(request: PolicyResolutionRequest): Promise<AgentsPolicy>;
}
