import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /** The collator of agent sessions (`@backstage-agents/plugin-search-backend-module-agents`). */
      agentSessions?: {
        /**
         * How often sessions are collated. Defaults to every 10 minutes, with a 15-minute timeout and
         * a 30-second initial delay.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
      };
    };
  };
}
