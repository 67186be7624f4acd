/**
 * Scaffolder actions of Agents for Backstage: launch an agent session, or one per [ASYNC] task of a
 * spec-kit feature.
 *
 * @packageDocumentation
 */
export { scaffolderModuleAgents as default } from './module';
export { createLaunchSessionAction, LAUNCH_SESSION_ACTION_ID } from './actions/launchSession';
export { createImplementSpecAction, IMPLEMENT_SPEC_ACTION_ID } from './actions/implementSpec';
export { createCampaignLaunchAction, CAMPAIGN_LAUNCH_ACTION_ID } from './actions/campaignLaunch';
export type { AgentsActionsOptions } from './actions/shared';
// The parser moved to the common package (shared with the CLI); re-exported for existing importers.
export {
  parseTasks,
  selectTasks,
  type ParsedTasks,
  type SpeckitTask,
  type SpeckitTaskProblem,
} from '@backstage-agents/plugin-agents-common';
