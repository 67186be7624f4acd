import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import DeveloperBoardIcon from '@material-ui/icons/DeveloperBoard';
import { hasEntityRepository } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from './api/AgentsApi';
import { AgentsClient } from './api/AgentsClient';
import { entityContentRouteRef, rootRouteRef, sessionRouteRef } from './routes';
import {
  agentSessionSearchResultListItem,
  agentSessionSearchResultType,
} from './search/extensions';

export {
  agentSessionSearchResultListItem,
  agentSessionSearchResultType,
} from './search/extensions';

/** The agents API client, on the app's fetch (with the user's token) and discovery APIs. */
export const agentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: agentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new AgentsClient({ discoveryApi, fetchApi }),
    }),
});

/** `/agents`: every session the user may see; `/agents/sessions/:sessionId`: one session's page. */
export const agentsPage = PageBlueprint.make({
  params: {
    path: '/agents',
    routeRef: rootRouteRef,
    noHeader: true,
    loader: () =>
      import('./components/SessionPage').then(m => <m.AgentsRouter />),
  },
});

/**
 * The Agents tab, on entities whose repository the agents can work on (those with a
 * `backstage.io/source-location` or `github.com/project-slug` annotation). The filter can be replaced
 * in app-config under `app.extensions`.
 */
export const agentsEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'agents',
    title: 'Agents',
    routeRef: entityContentRouteRef,
    filter: hasEntityRepository,
    loader: () =>
      import('./components/EntityAgentsContent').then(m => (
        <m.EntityAgentsContent />
      )),
  },
});

/**
 * The Agents plugin for the new frontend system: the API client, the Agents entity tab and the
 * sessions page.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'agents',
  title: 'Agents',
  icon: <DeveloperBoardIcon />,
  info: { packageJson: () => import('../package.json') },
  routes: {
    root: rootRouteRef,
    session: sessionRouteRef,
    entityContent: entityContentRouteRef,
  },
  extensions: [
    agentsApi,
    agentsPage,
    agentsEntityContent,
    agentSessionSearchResultListItem,
    agentSessionSearchResultType,
  ],
});
