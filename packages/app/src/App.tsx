import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import agentsPlugin from '@backstage-agents/plugin-agents/alpha';
import { navModule } from './modules/nav';
import { homeModule } from './modules/home';
import { kubernetesModule } from './modules/kubernetes';

export default createApp({
  features: [catalogPlugin, agentsPlugin, navModule, homeModule, kubernetesModule],
});
