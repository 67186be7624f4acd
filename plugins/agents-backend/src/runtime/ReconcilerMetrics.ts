import type {
  MetricsService,
  MetricsServiceCounter,
  MetricsServiceHistogram,
  MetricsServiceUpDownCounter,
} from '@backstage/backend-plugin-api/alpha';
import type { SessionStatus } from '@backstage-agents/plugin-agents-common';

/** How a run ended, as its session's status says: the `outcome` attribute of `agents.runs.finished`. */
export type RunOutcomeAttribute = Extract<
  SessionStatus,
  'succeeded' | 'failed' | 'timed_out' | 'cancelled'
>;

/** The instruments' names (documented in docs/operations.md, "Metrics"). */
export const RECONCILER_METRICS = {
  runsFinished: 'agents.runs.finished',
  launchLatency: 'agents.runs.launch_latency',
  reconcileLag: 'agents.reconciler.lag',
  activeLogFollowers: 'agents.log_followers.active',
} as const;

/** A MetricsService whose instruments record nothing. */
const noopMetricsService: MetricsService = {
  createCounter: () => ({ add: () => undefined }),
  createUpDownCounter: () => ({ add: () => undefined }),
  createHistogram: () => ({ record: () => undefined }),
  createGauge: () => ({ record: () => undefined }),
  createObservableCounter: () => ({
    addCallback: () => undefined,
    removeCallback: () => undefined,
  }),
  createObservableUpDownCounter: () => ({
    addCallback: () => undefined,
    removeCallback: () => undefined,
  }),
  createObservableGauge: () => ({
    addCallback: () => undefined,
    removeCallback: () => undefined,
  }),
};

/**
 * The runtime's instruments, created once from the plugin's metrics service (`metricsServiceRef`), and
 * what the launcher, the reconciler and the log followers record in them. Each replica reports its own
 * measurements; only the lease holder reconciles and follows logs.
 */
export class ReconcilerMetrics {
  private readonly runsFinished: MetricsServiceCounter<{
    outcome: RunOutcomeAttribute;
    harness: string;
  }>;
  private readonly launchLatency: MetricsServiceHistogram<{ harness: string }>;
  private readonly reconcileLag: MetricsServiceHistogram;
  private readonly activeLogFollowers: MetricsServiceUpDownCounter;

  static fromMetricsService(metrics: MetricsService): ReconcilerMetrics {
    return new ReconcilerMetrics(metrics);
  }

  /** Records nothing: for tests and callers that do not care. */
  static noop(): ReconcilerMetrics {
    return new ReconcilerMetrics(noopMetricsService);
  }

  private constructor(metrics: MetricsService) {
    this.runsFinished = metrics.createCounter(RECONCILER_METRICS.runsFinished, {
      description:
        'Runs that finished, by outcome (the session status they ended in) and harness',
      unit: '{run}',
    });
    this.launchLatency = metrics.createHistogram(
      RECONCILER_METRICS.launchLatency,
      {
        description:
          "Seconds from a run's launch claim (pending to starting, after the concurrency caps admitted it) to the reconciler seeing its pod run",
        unit: 's',
        advice: {
          explicitBucketBoundaries: [
            0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800,
          ],
        },
      },
    );
    this.reconcileLag = metrics.createHistogram(
      RECONCILER_METRICS.reconcileLag,
      {
        description:
          "Seconds a run's pod event waited in the reconciler's queue before its reconcile started",
        unit: 's',
        advice: {
          explicitBucketBoundaries: [
            0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
          ],
        },
      },
    );
    this.activeLogFollowers = metrics.createUpDownCounter(
      RECONCILER_METRICS.activeLogFollowers,
      {
        description:
          "Pod logs this replica is following live (the reconciler lease holder's followers)",
        unit: '{follower}',
      },
    );
  }

  /** A run ended (once per run: only the writer whose status change was applied records it). */
  runFinished(outcome: RunOutcomeAttribute, harness: string): void {
    this.runsFinished.add(1, { outcome, harness });
  }

  /**
   * The reconciler moved a run's session to `running` (its pod runs, or has already finished).
   * `claimedAt` is when the launcher claimed the run (`pending → starting`, stored as the session's
   * `updatedAt`): the latency covers the Git token, the pod's creation, scheduling, image pull and
   * container start, and the watch event's delivery.
   */
  podRunning(harness: string, claimedAt: string, now = Date.now()): void {
    const claimed = Date.parse(claimedAt);
    if (Number.isNaN(claimed)) return;
    this.launchLatency.record(Math.max(0, now - claimed) / 1000, { harness });
  }

  /** A run's reconcile started after its (oldest folded) pod event waited `waitedMs` in the queue. */
  reconcileStarted(waitedMs: number): void {
    this.reconcileLag.record(Math.max(0, waitedMs) / 1000);
  }

  /** A live log follower started. */
  followerStarted(): void {
    this.activeLogFollowers.add(1);
  }

  /** A live log follower stopped (its stream ended, failed, or was stopped). */
  followerStopped(): void {
    this.activeLogFollowers.add(-1);
  }
}
