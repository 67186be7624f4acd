import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  type SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { AgentSessionCollatorFactory } from './collator/AgentSessionCollatorFactory';

/** Where the collation schedule is read from. */
export const SCHEDULE_CONFIG_KEY = 'search.collators.agentSessions.schedule';

/** Every 10 minutes, at most 15 minutes a run, first 30 seconds after start. */
export const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 30 },
};

/**
 * Adds agent sessions to the search index (`type: agent-session`).
 *
 * @public
 */
export const searchModuleAgentsCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'agents-collator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({ config, discovery, auth, logger, scheduler, indexRegistry }) {
        const schedule = config.has(SCHEDULE_CONFIG_KEY)
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              config.getConfig(SCHEDULE_CONFIG_KEY),
            )
          : DEFAULT_SCHEDULE;
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(schedule),
          factory: new AgentSessionCollatorFactory({ discovery, auth, logger }),
        });
      },
    });
  },
});
