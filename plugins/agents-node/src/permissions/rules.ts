import { createPermissionRule } from '@backstage/plugin-permission-node';
import { z } from 'zod';
import { agentsSessionResourceRef } from './resourceRef';

/** Allows sessions on entities owned by one of the claims (the user's ownership entity refs). */
export const isEntityOwner = createPermissionRule({
  name: 'IS_ENTITY_OWNER',
  description:
    'Allow sessions on catalog entities owned by one of the given users or groups',
  resourceRef: agentsSessionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe(
        'Ownership entity refs of the user, e.g. user:default/jane and group:default/team-a',
      ),
  }),
  apply: (session, { claims }) =>
    session.entityOwnerRef !== undefined &&
    claims.includes(session.entityOwnerRef),
  toQuery: ({ claims }) => ({ property: 'entityOwnerRef', values: claims }),
});

/** Allows sessions started by one of the claims. */
export const isSessionCreator = createPermissionRule({
  name: 'IS_SESSION_CREATOR',
  description: 'Allow sessions started by one of the given users',
  resourceRef: agentsSessionResourceRef,
  paramsSchema: z.object({
    claims: z
      .array(z.string())
      .describe('User entity refs, e.g. user:default/jane'),
  }),
  apply: (session, { claims }) => claims.includes(session.createdBy),
  toQuery: ({ claims }) => ({ property: 'createdBy', values: claims }),
});

/** Allows sessions on the given catalog entities. */
export const hasEntityRef = createPermissionRule({
  name: 'HAS_ENTITY_REF',
  description: 'Allow sessions on the given catalog entities',
  resourceRef: agentsSessionResourceRef,
  paramsSchema: z.object({
    entityRefs: z
      .array(z.string())
      .describe('Entity refs, e.g. component:default/payments'),
  }),
  apply: (session, { entityRefs }) => entityRefs.includes(session.entityRef),
  toQuery: ({ entityRefs }) => ({ property: 'entityRef', values: entityRefs }),
});

/** Every rule the agents backend registers for `agents-session`. */
export const agentsSessionPermissionRules = {
  isEntityOwner,
  isSessionCreator,
  hasEntityRef,
};
