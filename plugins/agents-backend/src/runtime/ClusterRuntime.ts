import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { HarnessProvider } from '@backstage-agents/plugin-agents-node';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { AgentsDatabase } from '../database/AgentsDatabase';
import type { HarnessPrices } from '../harnesses/harnessPrices';
import type { SessionLogs } from '../logs/SessionLogs';
import type { ClusterTarget } from './clusterConfig';
import type { ConcurrencyGate } from './ConcurrencyGate';
import { EgressPolicies } from './EgressPolicies';
import { makeTimedApiClient } from './kubeClients';
import { Launcher, type GitTokenSource } from './Launcher';
import type { LaunchQueue } from './LaunchQueue';
import { Reconciler } from './Reconciler';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import { RunLogFollower } from './RunLogFollower';

/**
 * One cluster harness pods run in: its API clients, its egress check, the launcher that creates
 * pods there and the reconciler that watches them. The runtime has one per cluster it uses.
 */
export class ClusterRuntime {
  readonly name: string;
  readonly namespace: string;
  readonly core: CoreV1Api;
  readonly egressPolicies: EgressPolicies;
  readonly launcher: Launcher;
  readonly reconciler: Reconciler;

  constructor(options: {
    target: ClusterTarget;
    db: Pick<AgentsDatabase, 'sessions' | 'transitions' | 'logChunks'>;
    sessionLogs: SessionLogs;
    logger: LoggerService;
    harnessProviders: Map<string, HarnessProvider>;
    apiUrl: string;
    appBaseUrl?: string;
    defaultImage: string;
    finishedPodTtlMs: number;
    resyncIntervalMs: number;
    gitTokens?: GitTokenSource;
    prices?: HarnessPrices;
    /** Shared by every cluster: concurrency caps count sessions wherever they run. */
    gate: ConcurrencyGate;
    metrics: ReconcilerMetrics;
    /** Launches any session on its own cluster (the runtime's router). */
    launchAnywhere: Pick<Launcher, 'launch'>;
    /** Shared by every cluster's reconciler. */
    launchQueue?: LaunchQueue;
    /** Whether a session's latest run is on this cluster. */
    owns?: (session: SessionWithRuns) => boolean;
  }) {
    const { target, db, logger: parentLogger } = options;
    this.name = target.name;
    this.namespace = target.namespace;
    // Test doubles may have no child loggers.
    const logger = parentLogger.child?.({ cluster: target.name }) ?? parentLogger;
    this.core = makeTimedApiClient(target.kubeConfig, CoreV1Api);
    this.egressPolicies = new EgressPolicies({
      networking: makeTimedApiClient(target.kubeConfig, NetworkingV1Api),
      namespace: target.namespace,
      logger,
    });
    this.launcher = new Launcher({
      core: this.core,
      transitions: db.transitions,
      logger,
      namespace: target.namespace,
      cluster: target.name,
      appBaseUrl: options.appBaseUrl,
      defaultImage: options.defaultImage,
      apiUrl: options.apiUrl,
      harnessProviders: options.harnessProviders,
      gitTokens: options.gitTokens,
      egressPolicies: this.egressPolicies,
      gate: options.gate,
      metrics: options.metrics,
    });
    this.reconciler = new Reconciler({
      core: this.core,
      kubeConfig: target.kubeConfig,
      namespace: target.namespace,
      sessions: db.sessions,
      transitions: db.transitions,
      launcher: options.launchAnywhere,
      launchQueue: options.launchQueue,
      owns: options.owns,
      follower: new RunLogFollower({
        kubeConfig: target.kubeConfig,
        namespace: target.namespace,
        logChunks: db.logChunks,
        transitions: db.transitions,
        logs: options.sessionLogs,
        logger,
        core: this.core,
        prices: options.prices,
      }),
      logger,
      finishedPodTtlMs: options.finishedPodTtlMs,
      resyncIntervalMs: options.resyncIntervalMs,
      metrics: options.metrics,
    });
  }
}
