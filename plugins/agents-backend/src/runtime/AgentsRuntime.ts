import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { MetricsService } from '@backstage/backend-plugin-api/alpha';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { HarnessProvider } from '@backstage-agents/plugin-agents-node';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { ConcurrencyGate } from './ConcurrencyGate';
import { EgressPolicies } from './EgressPolicies';
import type { AgentsDatabase } from '../database/AgentsDatabase';
import type { SessionEventHub } from '../events/SessionEventHub';
import type { HarnessPrices } from '../harnesses/harnessPrices';
import { SessionLogs } from '../logs/SessionLogs';
import type { ClusterSettings } from './clusterConfig';
import { makeTimedApiClient } from './kubeClients';
import { describeApiError, isNotFound } from './kubeErrors';
import { Launcher, type GitTokenSource } from './Launcher';
import { runObjectName } from './labels';
import { Reconciler } from './Reconciler';
import { ReconcilerMetrics } from './ReconcilerMetrics';
import { RunLogFollower } from './RunLogFollower';

/** What the session use cases tell the runtime. */
export interface SessionRuntime {
  /** A session became pending (created or resumed): start its run now rather than at the next resync. */
  sessionQueued(session: SessionWithRuns): void;
  /** A session was cancelled: stop its pod. */
  sessionCancelled(session: SessionWithRuns): Promise<void>;
  /** Sessions were released (a fan-out's next wave): offer every pending session a launch, oldest first. */
  launchQueued(): Promise<void>;
}

/** Runs sessions as pods: the launcher, the reconciler under a scheduler lease, and log following. */
export class AgentsRuntime implements SessionRuntime {
  private readonly core: CoreV1Api;
  private readonly launcher: Launcher;
  private readonly reconciler: Reconciler;
  private readonly metrics: ReconcilerMetrics;
  readonly egressPolicies: EgressPolicies;

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
    },
  ) {
    const { settings, db, hub, logger } = deps;
    this.metrics = deps.metrics ? ReconcilerMetrics.fromMetricsService(deps.metrics) : ReconcilerMetrics.noop();
    this.core = makeTimedApiClient(settings.kubeConfig, CoreV1Api);
    this.egressPolicies = new EgressPolicies({
      networking: makeTimedApiClient(settings.kubeConfig, NetworkingV1Api),
      namespace: settings.namespace,
      logger,
    });
    this.launcher = new Launcher({
      core: this.core,
      transitions: db.transitions,
      logger,
      namespace: settings.namespace,
      defaultImage: settings.defaultImage,
      apiUrl: deps.apiUrl,
      harnessProviders: deps.harnessProviders,
      gitTokens: deps.gitTokens,
      egressPolicies: this.egressPolicies,
      gate: new ConcurrencyGate(db.admission),
      metrics: this.metrics,
    });
    this.reconciler = new Reconciler({
      core: this.core,
      kubeConfig: settings.kubeConfig,
      namespace: settings.namespace,
      sessions: db.sessions,
      transitions: db.transitions,
      launcher: this.launcher,
      follower: new RunLogFollower({
        kubeConfig: settings.kubeConfig,
        namespace: settings.namespace,
        logChunks: db.logChunks,
        transitions: db.transitions,
        logs: new SessionLogs(db.logChunks, hub),
        logger,
        core: this.core,
        prices: deps.prices,
      }),
      logger,
      finishedPodTtlMs: settings.finishedPodTtlMs,
      resyncIntervalMs: settings.resyncIntervalMs,
      metrics: this.metrics,
    });
  }

  /**
   * Schedules the reconciler as one global task: whichever replica holds it watches pods and follows
   * logs for one lease, then hands over.
   */
  async start(scheduler: SchedulerService): Promise<void> {
    const { leaseMs } = this.deps.settings;
    await scheduler.scheduleTask({
      id: 'agents-reconciler',
      scope: 'global',
      frequency: { milliseconds: 1000 },
      // The task ends by itself when the lease does; the margin covers draining log followers. A
      // replica that dies holding the task hands over when this timeout expires.
      timeout: { milliseconds: leaseMs + 5_000 },
      initialDelay: { milliseconds: 0 },
      fn: signal => this.reconciler.runLease(signal as AbortSignal, leaseMs),
    });
  }

  sessionQueued(session: SessionWithRuns): void {
    this.launcher.launch(session).catch(error =>
      this.deps.logger.error(`Launching session ${session.id} failed: ${error}`),
    );
  }

  launchQueued(): Promise<void> {
    return this.reconciler.launchQueue.launchQueued();
  }

  async sessionCancelled(session: SessionWithRuns): Promise<void> {
    // Told once, by the replica whose cancel was applied: the reconciler leaves cancelled runs be.
    this.metrics.runFinished('cancelled', session.harness);
    const run = session.runs[session.runs.length - 1];
    if (!run.podName) return;
    await this.core
      .deleteNamespacedPod({
        name: runObjectName(run.id),
        namespace: run.namespace ?? this.deps.settings.namespace,
      })
      .catch(error => {
        if (!isNotFound(error)) {
          this.deps.logger.warn(`Deleting the pod of cancelled session ${session.id} failed: ${describeApiError(error)}`);
        }
      });
  }
}
