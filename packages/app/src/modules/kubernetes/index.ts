import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { entityKubernetesContent } from './entityKubernetesContent';

/**
 * The Kubernetes plugin's entity tab, replaced (same extension id) by one that also lists the
 * entity's agent session pods: the stock tab counts pods no workload owns but lists none.
 */
export const kubernetesModule = createFrontendModule({
  pluginId: 'kubernetes',
  extensions: [entityKubernetesContent],
});
