import { createPermissionResourceRef } from '@backstage/plugin-permission-node';
import {
  AGENTS_SESSION_RESOURCE_TYPE,
  type Session,
} from '@backstage-agents/plugin-agents-common';

/**
 * The part of a session that permission rules look at. A session about to be created has these too,
 * so `agents.session.create` is decided with the same rules as the other permissions.
 */
export type AgentsSessionPermissionResource = Pick<
  Session,
  'entityRef' | 'entityOwnerRef' | 'createdBy'
>;

/** A database-side filter that a rule translates to: one column matching one of the values. */
export interface AgentsSessionFilter {
  property: 'entityRef' | 'entityOwnerRef' | 'createdBy';
  values: string[];
}

/** @public */
export const agentsSessionResourceRef = createPermissionResourceRef<
  AgentsSessionPermissionResource,
  AgentsSessionFilter
>().with({
  pluginId: 'agents',
  resourceType: AGENTS_SESSION_RESOURCE_TYPE,
});
