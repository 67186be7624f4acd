import type {
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { HarnessProvider } from '@backstage-agents/plugin-agents-node';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import { ConcurrencyGate } from './ConcurrencyGate';
import { EgressPolicies } from './EgressPolicies';
import type { SessionStore } from '../database/SessionStore';
import type { LogHub } from '../logs/LogHub';
import { SessionLogs } from '../logs/SessionLogs';
import type { ClusterSettings } from './clusterConfig';
import { makeTimedApiClient } from './kubeClients';
import { describeApiError, isNotFound } from './kubeErrors';
import { Launcher, type GitTokenSource } from './Launcher';
import { runObjectName } from './labels';
import { Reconciler } from './Reconciler';
import { RunLogFollower } from './RunLogFollower';

/** What the session use cases tell the runtime. */
export interface SessionRuntime {
  /** A session became pending (created or resumed): start its run now rather than at the next resync. */
  sessionQueued(session: SessionWithRuns): void;
  /** A session was cancelled: stop its pod. */
  sessionCancelled(session: SessionWithRuns): Promise<void>;
}

/** Runs sessions as pods: the launcher, the reconciler under a scheduler lease, and log following. */
export class AgentsRuntime implements SessionRuntime {
  private readonly core: CoreV1Api;
  private readonly launcher: Launcher;
  private readonly reconciler: Reconciler;
  readonly egressPolicies: EgressPolicies;

  constructor(
    private readonly deps: {
      settings: ClusterSettings;
      store: SessionStore;
      hub: LogHub;
      logger: LoggerService;
      harnessProviders: Map<string, HarnessProvider>;
      /** The agents API as harness pods reach it. */
      apiUrl: string;
      gitTokens?: GitTokenSource;
      onRunFinished?: (sessionId: string) => void;
    },
  ) {
    const { settings, store, hub, logger } = deps;
    this.core = makeTimedApiClient(settings.kubeConfig, CoreV1Api);
    this.egressPolicies = new EgressPolicies({
      networking: makeTimedApiClient(settings.kubeConfig, NetworkingV1Api),
      namespace: settings.namespace,
      logger,
    });
    this.launcher = new Launcher({
      core: this.core,
      store,
      hub,
      logger,
      namespace: settings.namespace,
      defaultImage: settings.defaultImage,
      apiUrl: deps.apiUrl,
      harnessProviders: deps.harnessProviders,
      gitTokens: deps.gitTokens,
      egressPolicies: this.egressPolicies,
      gate: new ConcurrencyGate(store),
    });
    this.reconciler = new Reconciler({
      core: this.core,
      kubeConfig: settings.kubeConfig,
      namespace: settings.namespace,
      store,
      hub,
      launcher: this.launcher,
      follower: new RunLogFollower({
        kubeConfig: settings.kubeConfig,
        namespace: settings.namespace,
        store,
        logs: new SessionLogs(store, hub),
        logger,
        core: this.core,
      }),
      logger,
      finishedPodTtlMs: settings.finishedPodTtlMs,
      resyncIntervalMs: settings.resyncIntervalMs,
      onRunFinished: deps.onRunFinished,
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

  async sessionCancelled(session: SessionWithRuns): Promise<void> {
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
