import {
  createConfiguration,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
} from '@kubernetes/client-node';
import { KubeConnectionPool } from './KubeConnectionPool';

/** How long one Kubernetes API call of the runtime may take, answer body included. */
export const KUBE_API_TIMEOUT_MS = 30_000;

/** One pool of kept connections per kubeconfig, shared by every client made from it. */
const pools = new WeakMap<KubeConfig, KubeConnectionPool>();

/**
 * An API client (as `kubeConfig.makeApiClient` makes one) whose every request is aborted after
 * `timeoutMs`. Without it a request the API server never answers holds its caller forever: a launch,
 * or the reconciler's per-run queue behind it. Its calls reuse kept-alive connections
 * (`KubeConnectionPool`) instead of opening one each.
 */
export function makeTimedApiClient<T>(
  kubeConfig: KubeConfig,
  ApiClientType: new (configuration: Configuration) => T,
  timeoutMs = KUBE_API_TIMEOUT_MS,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('The kubeconfig names no current cluster');
  let pool = pools.get(kubeConfig);
  if (!pool) {
    pool = new KubeConnectionPool();
    pools.set(kubeConfig, pool);
  }
  const connections = pool;
  return new ApiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async context => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            const agent = connections.agentFor(context.getAgent());
            if (agent) context.setAgent(agent);
            return context;
          },
          post: async response => response,
        },
      ],
    }),
  );
}
