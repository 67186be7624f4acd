import type { LoggerService } from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { HarnessProvider } from '@backstage-agents/plugin-agents-node';
import type { BudgetHolds } from '../budgets/BudgetHolds';
import { ConcurrencyGate } from './ConcurrencyGate';
import type { EgressPolicies } from './EgressPolicies';
import type { AgentsDatabase } from '../database/AgentsDatabase';
import type { SessionEventHub } from '../events/SessionEventHub';
import type { HarnessPrices } from '../harnesses/harnessPrices';
import { SessionLogs } from '../logs/SessionLogs';
import { DEFAULT_CLUSTER_NAME, type ClusterSettings, type ClusterTarget } from './clusterConfig';
import { ClusterRouting } from './ClusterRouting';
import { ClusterRuntime } from './ClusterRuntime';
import { describeApiError, isNotFound } from './kubeErrors';
import type { GitTokenSource, LaunchOptions } from './Launcher';
import { runObjectName } from './labels';
import { LaunchQueue } from './LaunchQueue';
import type { ReconcilerLease } from './ReconcilerLease';
import { ReconcilerMetrics } from './ReconcilerMetrics';

/** What the session use cases tell the runtime. */
export interface SessionRuntime {
  /** A session became pending (created or resumed): start its run now rather than at the next resync. */
  sessionQueued(session: SessionWithRuns): void;
  /** A session was cancelled: stop its pod. */
  sessionCancelled(session: SessionWithRuns): Promise<void>;
  /** Sessions were released (a fan-out's next wave): offer every pending session a launch, oldest first. */
  launchQueued(): Promise<void>;
}

/**
 * Runs sessions as pods: per cluster a launcher and a reconciler (one set of clients and watches
 * each), all reconcilers under one lease, and log following.
 */
export class AgentsRuntime implements SessionRuntime {
  private readonly clusters = new Map<string, ClusterRuntime>();
  private readonly routing: ClusterRouting;
  private readonly launchQueue: LaunchQueue;
  private readonly metrics: ReconcilerMetrics;
  /** Checks every cluster's NetworkPolicies for the egress profiles policies use. */
  readonly egressPolicies: Pick<EgressPolicies, 'checkAtStartup'>;

  constructor(
    private readonly deps: {
      settings: ClusterSettings;
      /** The stores the runtime uses. */
      db: Pick<AgentsDatabase, 'sessions' | 'transitions' | 'logChunks' | 'admission'>;
      hub: SessionEventHub;
      logger: LoggerService;
      harnessProviders: Map<string, HarnessProvider>;
      /** The agents API as harness pods reach it. */
      apiUrl: string;
      gitTokens?: GitTokenSource;
      /** The plugin's metrics service; without it nothing is recorded. */
      metrics?: MetricsService;
      /** Harness prices (`agents.harnesses.<name>.price`); a run's usage is costed with them. */
      prices?: HarnessPrices;
      /** Holds launches of owners over their monthly budget (`agents.budgets`). */
      budgetHolds?: BudgetHolds;
    },
  ) {
    const { settings, db, hub, logger } = deps;
    this.metrics = deps.metrics ? ReconcilerMetrics.fromMetricsService(deps.metrics) : ReconcilerMetrics.noop();
    this.routing = new ClusterRouting({
      defaultCluster: settings.clusterName ?? DEFAULT_CLUSTER_NAME,
      policyClusters: settings.policyClusters,
    });
    const launchAnywhere = {
      launch: (session: SessionWithRuns, options?: LaunchOptions) => this.launch(session, options),
    };
    this.launchQueue = new LaunchQueue({ sessions: db.sessions, launcher: launchAnywhere, logger });
    // One gate for all clusters: caps count a policy's sessions wherever they run.
    const gate = new ConcurrencyGate(db.admission, deps.budgetHolds);
    const sessionLogs = new SessionLogs(db.logChunks, hub);
    const targets: ClusterTarget[] = [
      { name: this.routing.defaultCluster, kubeConfig: settings.kubeConfig, namespace: settings.namespace },
      ...(settings.otherClusters ?? []),
    ];
    for (const target of targets) {
      this.clusters.set(
        target.name,
        new ClusterRuntime({
          target,
          db,
          sessionLogs,
          logger,
          harnessProviders: deps.harnessProviders,
          apiUrl: deps.apiUrl,
          appBaseUrl: settings.appBaseUrl,
          defaultImage: settings.defaultImage,
          finishedPodTtlMs: settings.finishedPodTtlMs,
          resyncIntervalMs: settings.resyncIntervalMs,
          gitTokens: deps.gitTokens,
          prices: deps.prices,
          gate,
          metrics: this.metrics,
          launchAnywhere,
          launchQueue: this.launchQueue,
          // With one cluster every run is its own, whatever a run recorded under another name. The
          // default cluster also takes runs of clusters no longer configured: finding no pod, it
          // ends them rather than leaving them running forever.
          owns: targets.length > 1 ? session => this.owner(session) === target.name : undefined,
        }),
      );
    }
    this.egressPolicies = {
      checkAtStartup: async profiles => {
        await Promise.all([...this.clusters.values()].map(c => c.egressPolicies.checkAtStartup(profiles)));
      },
    };
  }

  /** The clusters in use, by name: the default one first. */
  get clusterNames(): string[] {
    return [...this.clusters.keys()];
  }

  /**
   * Runs the reconcilers under one lease: whichever replica holds it watches the pods of every
   * cluster and follows their logs until it stops holding it, and another replica takes over.
   */
  start(lease: ReconcilerLease): void {
    lease.run(async signal => {
      await Promise.all([...this.clusters.values()].map(c => c.reconciler.runLease(signal)));
    });
  }

  sessionQueued(session: SessionWithRuns): void {
    this.launch(session).catch(error =>
      this.deps.logger.error(`Launching session ${session.id} failed: ${error}`),
    );
  }

  launchQueued(): Promise<void> {
    return this.launchQueue.launchQueued();
  }

  async sessionCancelled(session: SessionWithRuns): Promise<void> {
    // Told once, by the replica whose cancel was applied: the reconciler leaves cancelled runs be.
    this.metrics.runFinished('cancelled', session.harness);
    const run = session.runs[session.runs.length - 1];
    if (!run.podName) return;
    const cluster = this.clusters.get(this.routing.clusterOf(session));
    if (!cluster) {
      this.deps.logger.warn(`The pod of cancelled session ${session.id} is on cluster ${run.cluster}, which is no longer configured`);
      return;
    }
    await cluster.core
      .deleteNamespacedPod({
        name: runObjectName(run.id),
        namespace: run.namespace ?? cluster.namespace,
      })
      .catch(error => {
        if (!isNotFound(error)) {
          this.deps.logger.warn(`Deleting the pod of cancelled session ${session.id} failed: ${describeApiError(error)}`);
        }
      });
  }

  /** The cluster whose reconciler decides about the session's latest run. */
  private owner(session: SessionWithRuns): string {
    const name = this.routing.clusterOf(session);
    return this.clusters.has(name) ? name : this.routing.defaultCluster;
  }

  /** Launches the session's latest run on the cluster its policy names. */
  private async launch(session: SessionWithRuns, options?: LaunchOptions): Promise<boolean> {
    const name = this.routing.launchClusterOf(session);
    const cluster = this.clusters.get(name);
    if (cluster) return cluster.launcher.launch(session, options);
    // Only a custom policy resolver can name a cluster config did not check at start-up.
    const reason = `Refusing to launch: the policy names cluster '${name}', which agents.kubernetes does not use (${this.clusterNames.join(', ')})`;
    const failed = await this.deps.db.transitions
      .applyTransition(session.id, 'failed', { run: { reason } })
      .catch(() => undefined);
    if (failed) this.metrics.runFinished('failed', session.harness);
    return true;
  }
}
