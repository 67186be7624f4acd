import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCampaignLaunchAction } from './actions/campaignLaunch';
import { createImplementSpecAction } from './actions/implementSpec';
import { createLaunchSessionAction } from './actions/launchSession';

/**
 * The scaffolder module of Agents for Backstage: the `agents:session:launch`,
 * `agents:speckit:implement` and `agents:campaign:launch` actions, which call the agents backend over HTTP on behalf of the
 * template's initiator.
 *
 * @public
 */
export const scaffolderModuleAgents = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'agents',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        urlReader: coreServices.urlReader,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, ...deps }) {
        scaffolder.addActions(
          createLaunchSessionAction(deps),
          createImplementSpecAction(deps),
          createCampaignLaunchAction(deps),
        );
      },
    });
  },
});
