import { createPermission } from '@backstage/plugin-permission-common';

/** The resource type of agent sessions in the permission framework. */
export const AGENTS_SESSION_RESOURCE_TYPE = 'agents-session';

/**
 * Start a session. Authorized against the session about to be created (its entity and owner), so
 * conditional policies such as "owner of the entity" apply before anything is written.
 */
export const agentsSessionCreatePermission = createPermission({
  name: 'agents.session.create',
  attributes: { action: 'create' },
  resourceType: AGENTS_SESSION_RESOURCE_TYPE,
});

/** See a session, its runs and its log; also filters listings and search results. */
export const agentsSessionReadPermission = createPermission({
  name: 'agents.session.read',
  attributes: { action: 'read' },
  resourceType: AGENTS_SESSION_RESOURCE_TYPE,
});

/** Cancel a session that has not finished. */
export const agentsSessionCancelPermission = createPermission({
  name: 'agents.session.cancel',
  attributes: { action: 'update' },
  resourceType: AGENTS_SESSION_RESOURCE_TYPE,
});

/** Resume a finished session with a follow-up prompt. */
export const agentsSessionResumePermission = createPermission({
  name: 'agents.session.resume',
  attributes: { action: 'update' },
  resourceType: AGENTS_SESSION_RESOURCE_TYPE,
});

/** @public */
export const agentsPermissions = [
  agentsSessionCreatePermission,
  agentsSessionReadPermission,
  agentsSessionCancelPermission,
  agentsSessionResumePermission,
];
