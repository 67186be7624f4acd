import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';

/** The plugin's page, `/agents` by default: the sessions the user may see. */
export const rootRouteRef = createRouteRef({ id: 'agents' });

/** One session's page, `/agents/sessions/:sessionId` by default. */
export const sessionRouteRef = createSubRouteRef({
  id: 'agents/session',
  parent: rootRouteRef,
  path: '/sessions/:sessionId',
});

/** The Agents tab of an entity page. */
export const entityContentRouteRef = createRouteRef({
  id: 'agents/entity-content',
});

/** The usage statistics page, `/agents/usage` by default (a page of its own, beside `/agents`). */
export const usageRouteRef = createRouteRef({ id: 'agents/usage' });

/** The Agent usage tab of a group's or a component's entity page. */
export const entityUsageContentRouteRef = createRouteRef({
  id: 'agents/entity-usage-content',
});
