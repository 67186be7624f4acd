import {
  createConfiguration,
  ServerConfiguration,
  type Configuration,
  type KubeConfig,
} from '@kubernetes/client-node';

/** How long one Kubernetes API call of the runtime may take, answer body included. */
export const KUBE_API_TIMEOUT_MS = 30_000;

/**
 * An API client (as `kubeConfig.makeApiClient` makes one) whose every request is aborted after
 * `timeoutMs`. Without it a request the API server never answers holds its caller forever: a launch,
 * or the reconciler's per-run queue behind it.
 */
export function makeTimedApiClient<T>(
  kubeConfig: KubeConfig,
  ApiClientType: new (configuration: Configuration) => T,
  timeoutMs = KUBE_API_TIMEOUT_MS,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('The kubeconfig names no current cluster');
  return new ApiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async context => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return context;
          },
          post: async response => response,
        },
      ],
    }),
  );
}
