import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { agentsApiRef } from './api/AgentsApi';
import { AgentsClient } from './api/AgentsClient';
import {
  entityContentRouteRef,
  entityUsageContentRouteRef,
  rootRouteRef,
  sessionRouteRef,
  usageRouteRef,
} from './routes';

/**
 * The Agents plugin for apps on the legacy frontend system. Apps on the new frontend system use the
 * default export of `@backstage-agents/plugin-agents/alpha` instead.
 *
 * @public
 */
export const agentsPlugin = createPlugin({
  id: 'agents',
  apis: [
    createApiFactory({
      api: agentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AgentsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    session: sessionRouteRef,
    entityContent: entityContentRouteRef,
    usage: usageRouteRef,
    entityUsageContent: entityUsageContentRouteRef,
  },
});

/**
 * The Agents tab of an entity page: the entity's agent sessions and a button to start one. Mount it in
 * an `EntityLayout.Route`, guarded by `isAgentsAvailable`.
 *
 * @public
 */
export const EntityAgentsContent = agentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityAgentsContent',
    component: () =>
      import('./components/EntityAgentsContent').then(
        m => m.EntityAgentsContent,
      ),
    mountPoint: entityContentRouteRef,
  }),
);

/**
 * The plugin's page: every session the user may see at its root, and one session's page (header,
 * runs, live log, Cancel / Resume) at `sessions/:sessionId`. Mount it at `/agents`.
 *
 * @public
 */
export const AgentsSessionPage = agentsPlugin.provide(
  createRoutableExtension({
    name: 'AgentsSessionPage',
    component: () =>
      import('./components/SessionPage').then(m => m.AgentsRouter),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Usage statistics of every session the user may read: sessions per day, success rate, run time,
 * tokens and cost, top entities, with owner, entity, range and harness filters. Mount it at
 * `/agents/usage` (before the `/agents` route).
 *
 * @public
 */
export const AgentsUsagePage = agentsPlugin.provide(
  createRoutableExtension({
    name: 'AgentsUsagePage',
    component: () => import('./components/UsagePage').then(m => m.UsagePage),
    mountPoint: usageRouteRef,
  }),
);

/**
 * The Agent usage tab of an entity page: a group's sessions (on the entities it owns) or an entity's
 * own. Mount it in an `EntityLayout.Route`, guarded by `isAgentsUsageAvailable`.
 *
 * @public
 */
export const EntityAgentsUsageContent = agentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityAgentsUsageContent',
    component: () =>
      import('./components/UsagePage').then(m => m.EntityUsageContent),
    mountPoint: entityUsageContentRouteRef,
  }),
);

/**
 * The overview card of an entity's agent sessions: the last five with their status, how many run
 * now, the 30-day success rate, and a New session button. Put it on the entity's overview, guarded
 * by `isAgentsAvailable`.
 *
 * @public
 */
export const EntityAgentsOverviewCard = agentsPlugin.provide(
  createComponentExtension({
    name: 'EntityAgentsOverviewCard',
    component: {
      lazy: () =>
        import('./components/EntityAgentsOverviewCard').then(
          m => m.EntityAgentsOverviewCard,
        ),
    },
  }),
);
