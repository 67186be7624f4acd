import {
  createApiFactory,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { agentsApiRef } from './api/AgentsApi';
import { AgentsClient } from './api/AgentsClient';
import { entityContentRouteRef, rootRouteRef, sessionRouteRef } from './routes';

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
