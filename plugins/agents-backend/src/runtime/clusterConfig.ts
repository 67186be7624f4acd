import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { Duration } from 'luxon';
import { existsSync } from 'node:fs';

/** The name runs record for the cluster of the explicit form (inCluster or kubeconfig). */
export const DEFAULT_CLUSTER_NAME = 'default';

/** Where the pod's own service-account token is mounted, for named clusters that give none. */
const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** One cluster harness pods run in, and how to reach it. */
export interface ClusterTarget {
  /** What runs record as their cluster. */
  name: string;
  kubeConfig: KubeConfig;
  namespace: string;
}

/** How the backend reaches the clusters its harness pods run in, from `agents.kubernetes`. */
export interface ClusterSettings {
  /** The default cluster: sessions whose policy names no cluster run here. */
  kubeConfig: KubeConfig;
  namespace: string;
  /** The default cluster's name (`agents.kubernetes.cluster`); `default` for the explicit form. */
  clusterName?: string;
  /** The other clusters policies name (`agents.policies.<name>.cluster`). */
  otherClusters?: ClusterTarget[];
  /** The cluster of each policy that names one (its own or inherited from `default`), by policy. */
  policyClusters?: Map<string, string>;
  /** The harness image when a policy names none. */
  defaultImage: string;
  /** How long a finished pod is kept (for `kubectl logs` and debugging) before it is deleted. */
  finishedPodTtlMs: number;
  /** How often the reconciler re-lists everything, on top of its watch. */
  resyncIntervalMs: number;
  /** How long the reconciler's lease lasts unless renewed: a dead holder is replaced this long after. */
  leaseMs: number;
  /** The agents API as harness pods reach it; undefined means discovery's internal URL. */
  backendUrl?: string;
  /** The app's URL (`app.baseUrl`): pods are annotated with their session's page under it. */
  appBaseUrl?: string;
}

const DEFAULT_IMAGE = 'ghcr.io/backstage-agents/harness:latest';

const ms = (config: Config, key: string, fallback: number) =>
  config.has(key)
    ? Duration.fromObject(readDurationFromConfig(config, { key })).toMillis()
    : fallback;

/** The clusters of Backstage's Kubernetes plugin given in config, by name. */
function kubernetesPluginClusters(config: Config): Map<string, Config> {
  const clusters = new Map<string, Config>();
  for (const method of config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []) {
    if (method.getString('type') !== 'config') continue;
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      clusters.set(cluster.getString('name'), cluster);
    }
  }
  return clusters;
}

/**
 * A cluster of `kubernetes.clusterLocatorMethods` as a client configuration: the same URL, CA and
 * service-account token the Kubernetes plugin uses, so a platform team states a cluster once.
 */
function namedCluster(config: Config, name: string, key: string): KubeConfig {
  const known = kubernetesPluginClusters(config);
  const cluster = known.get(name);
  if (!cluster) {
    const names = [...known.keys()];
    throw new InputError(
      `${key} names the cluster '${name}', which is not one of kubernetes.clusterLocatorMethods[].clusters (type config); ${
        names.length ? `configured: ${names.join(', ')}` : 'none is configured'
      }`,
    );
  }
  const authProvider = cluster.getOptionalString('authProvider') ?? 'serviceAccount';
  if (authProvider !== 'serviceAccount') {
    throw new InputError(
      `${key} names the cluster '${name}', whose authProvider is ${authProvider}; harness pods need a cluster with authProvider serviceAccount`,
    );
  }
  const token = cluster.getOptionalString('serviceAccountToken');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      {
        name,
        server: cluster.getString('url'),
        // Empty strings are what `${VAR:-}` leaves: no CA rather than a broken one.
        caData: cluster.getOptionalString('caData') || undefined,
        caFile: cluster.getOptionalString('caFile') || undefined,
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      },
    ],
    users: [
      token
        ? { name, token }
        : // Like the Kubernetes plugin: no token means the pod's own service account, re-read as it rotates.
          { name, authProvider: { name: 'tokenFile', config: { tokenFile: SERVICE_ACCOUNT_TOKEN_FILE } } },
    ],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  return kubeConfig;
}

/** The explicit form: in-cluster credentials, or a kubeconfig file (and context). */
function explicitCluster(k8s: Config): KubeConfig {
  const kubeConfig = new KubeConfig();
  if (k8s.getOptionalBoolean('inCluster')) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  const file = k8s.getOptionalString('kubeconfig');
  if (file && !existsSync(file)) {
    throw new Error(
      `agents.kubernetes.kubeconfig names ${file}, which does not exist; in development, start the app with scripts/start.sh, which starts the cluster simulator and writes it`,
    );
  }
  if (file) kubeConfig.loadFromFile(file);
  else kubeConfig.loadFromDefault();
  const context = k8s.getOptionalString('context');
  if (context) kubeConfig.setCurrentContext(context);
  return kubeConfig;
}

/**
 * Reads `agents.kubernetes` and the clusters policies name. Returns undefined when the section is
 * absent: sessions are then stored but not run. A cluster name that `kubernetes.clusterLocatorMethods`
 * does not configure stops the backend at start-up, naming the key.
 */
export function readClusterSettings(config: Config): ClusterSettings | undefined {
  const k8s = config.getOptionalConfig('agents.kubernetes');
  if (!k8s) return undefined;
  const namespace = k8s.getOptionalString('namespace') ?? 'agents';
  const named = k8s.getOptionalString('cluster');
  if (named && (k8s.has('inCluster') || k8s.has('kubeconfig') || k8s.has('context'))) {
    throw new InputError(
      'agents.kubernetes.cluster names a cluster: leave out inCluster, kubeconfig and context, which would name another',
    );
  }
  const clusterName = named ?? DEFAULT_CLUSTER_NAME;
  const kubeConfig = named ? namedCluster(config, named, 'agents.kubernetes.cluster') : explicitCluster(k8s);

  // Other policies inherit default's cluster, as they inherit its other values.
  const policies = config.getOptionalConfig('agents.policies');
  const inherited = policies?.getOptionalString('default.cluster');
  const policyClusters = new Map<string, string>();
  const otherClusters = new Map<string, ClusterTarget>();
  for (const policy of policies?.keys() ?? []) {
    const own = policies!.getOptionalString(`${policy}.cluster`);
    const cluster = own ?? inherited;
    if (!cluster) continue;
    policyClusters.set(policy, cluster);
    if (cluster === clusterName || otherClusters.has(cluster)) continue;
    const key = `agents.policies.${own ? policy : 'default'}.cluster`;
    otherClusters.set(cluster, { name: cluster, kubeConfig: namedCluster(config, cluster, key), namespace });
  }

  return {
    kubeConfig,
    namespace,
    clusterName,
    otherClusters: [...otherClusters.values()],
    policyClusters,
    defaultImage: k8s.getOptionalString('defaultImage') ?? DEFAULT_IMAGE,
    finishedPodTtlMs: ms(k8s, 'finishedPodTtl', 10 * 60_000),
    resyncIntervalMs: ms(k8s, 'resyncInterval', 30_000),
    leaseMs: ms(k8s, 'reconcilerLease', 15_000),
    backendUrl: k8s.getOptionalString('backendUrl'),
    appBaseUrl: config.getOptionalString('app.baseUrl'),
  };
}
