import { createConditionExports } from '@backstage/plugin-permission-node';
import { agentsSessionResourceRef } from './resourceRef';
import { agentsSessionPermissionRules } from './rules';

const { conditions, createConditionalDecision } = createConditionExports({
  resourceRef: agentsSessionResourceRef,
  rules: agentsSessionPermissionRules,
});

/**
 * Conditions for permission policies, e.g.
 * `createAgentsSessionConditionalDecision(permission, agentsSessionConditions.isEntityOwner({ claims }))`.
 */
export const agentsSessionConditions = conditions;

/** @public */
export const createAgentsSessionConditionalDecision = createConditionalDecision;
