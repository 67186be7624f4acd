import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { Duration } from 'luxon';
import { existsSync } from 'node:fs';

/** How the backend reaches the cluster its harness pods run in, from `agents.kubernetes`. */
export interface ClusterSettings {
  kubeConfig: KubeConfig;
  namespace: string;
  /** The harness image when a policy names none. */
  defaultImage: string;
  /** How long a finished pod is kept (for `kubectl logs` and debugging) before it is deleted. */
  finishedPodTtlMs: number;
  /** How often the reconciler re-lists everything, on top of its watch. */
  resyncIntervalMs: number;
  /** How long one replica holds the reconciler before handing it to whichever replica is next. */
  leaseMs: number;
  /** The agents API as harness pods reach it; undefined means discovery's internal URL. */
  backendUrl?: string;
}

const DEFAULT_IMAGE = 'ghcr.io/backstage-agents/harness:latest';

const ms = (config: Config, key: string, fallback: number) =>
  config.has(key)
    ? Duration.fromObject(readDurationFromConfig(config, { key })).toMillis()
    : fallback;

/**
 * Reads `agents.kubernetes`: in-cluster credentials, or a kubeconfig file (and context). Returns
 * undefined when the section is absent: sessions are then stored but not run.
 */
export function readClusterSettings(config: Config): ClusterSettings | undefined {
  const k8s = config.getOptionalConfig('agents.kubernetes');
  if (!k8s) return undefined;
  const kubeConfig = new KubeConfig();
  if (k8s.getOptionalBoolean('inCluster')) {
    kubeConfig.loadFromCluster();
  } else {
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
  }
  return {
    kubeConfig,
    namespace: k8s.getOptionalString('namespace') ?? 'agents',
    defaultImage: k8s.getOptionalString('defaultImage') ?? DEFAULT_IMAGE,
    finishedPodTtlMs: ms(k8s, 'finishedPodTtl', 10 * 60_000),
    resyncIntervalMs: ms(k8s, 'resyncInterval', 30_000),
    leaseMs: ms(k8s, 'reconcilerLease', 60_000),
    backendUrl: k8s.getOptionalString('backendUrl'),
  };
}
