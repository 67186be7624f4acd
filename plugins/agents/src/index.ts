/**
 * The Agents for Backstage frontend plugin: the Agents tab of catalog entities, the session page with
 * its live log, and the launch dialog.
 *
 * This entry point serves apps on the legacy frontend system; apps on the new frontend system install
 * the default export of `@backstage-agents/plugin-agents/alpha`.
 *
 * @packageDocumentation
 */

export {
  agentsPlugin,
  EntityAgentsContent,
  AgentsSessionPage,
  AgentsUsagePage,
  EntityAgentsUsageContent,
  EntityAgentsOverviewCard,
} from './plugin';
export { isAgentsUsageAvailable } from './components/UsagePage/EntityUsageContent';
export { isAgentsAvailable } from './components/EntityAgentsContent';
export { agentsApiRef } from './api/AgentsApi';
export type { AgentsApi, AgentsLogStreamOptions } from './api/AgentsApi';
export { AgentsClient } from './api/AgentsClient';
export type * from './api/types';
export { rootRouteRef, sessionRouteRef, usageRouteRef } from './routes';
export {
  AgentSessionSearchResultListItem,
  AGENT_SESSION_RESULT_TYPE,
} from './search';
export type {
  AgentSessionSearchResultListItemProps,
  AgentSessionSearchDocument,
} from './search';
