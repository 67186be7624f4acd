import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import BarChartIcon from '@material-ui/icons/BarChart';
import DeveloperBoardIcon from '@material-ui/icons/DeveloperBoard';
import { hasEntityRepository } from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from './api/AgentsApi';
import { AgentsClient } from './api/AgentsClient';
import {
  entityContentRouteRef,
  entityUsageContentRouteRef,
  rootRouteRef,
  sessionRouteRef,
  usageRouteRef,
} from './routes';
import { isAgentsUsageAvailable } from './components/UsagePage/EntityUsageContent';
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

/** `/agents/usage`: usage statistics of every session the user may read, with filters. */
export const agentsUsagePage = PageBlueprint.make({
  name: 'usage',
  params: {
    path: '/agents/usage',
    title: 'Agent usage',
    icon: <BarChartIcon />,
    routeRef: usageRouteRef,
    noHeader: true,
    loader: () => import('./components/UsagePage').then(m => <m.UsagePage />),
  },
});

/**
 * The Agent usage tab: on a group, the sessions on the entities it owns; on an entity agents work on,
 * its own sessions.
 */
export const agentsUsageEntityContent = EntityContentBlueprint.make({
  name: 'usage',
  params: {
    path: 'agent-usage',
    title: 'Agent usage',
    routeRef: entityUsageContentRouteRef,
    filter: isAgentsUsageAvailable,
    loader: () =>
      import('./components/UsagePage').then(m => <m.EntityUsageContent />),
  },
});

/**
 * The overview card of an entity's agent sessions (last five, running now, 30-day success rate,
 * New session), on the overview of entities whose repository agents can work on.
 */
export const agentsEntityOverviewCard = EntityCardBlueprint.make({
  name: 'overview',
  params: {
    filter: hasEntityRepository,
    loader: () =>
      import('./components/EntityAgentsOverviewCard').then(m => (
        <m.EntityAgentsOverviewCard />
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
    usage: usageRouteRef,
    entityUsageContent: entityUsageContentRouteRef,
  },
  extensions: [
    agentsApi,
    agentsPage,
    agentsUsagePage,
    agentsEntityContent,
    agentsUsageEntityContent,
    agentsEntityOverviewCard,
    agentSessionSearchResultListItem,
    agentSessionSearchResultType,
  ],
});
