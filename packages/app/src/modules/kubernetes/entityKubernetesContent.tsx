import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/** `entity-content:kubernetes/kubernetes`, as the plugin defines it, with the sessions' pods added. */
export const entityKubernetesContent = EntityContentBlueprint.make({
  name: 'kubernetes',
  params: {
    path: '/kubernetes',
    title: 'Kubernetes',
    group: 'deployment',
    filter: {
      $any: [
        { [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: { $exists: true } },
        { [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]: { $exists: true } },
      ],
    },
    loader: () =>
      import('./KubernetesContentWithSessions').then(m => <m.KubernetesContentWithSessions />),
  },
});
