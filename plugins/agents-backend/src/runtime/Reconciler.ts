import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import { Watch, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { SessionStore } from '../database/SessionStore';
import type { TransitionStore } from '../database/TransitionStore';
import { GarbageCollector } from './GarbageCollector';
import { KeyedWorkQueue } from './KeyedWorkQueue';
import { describeApiError } from './kubeErrors';
import { LaunchQueue } from './LaunchQueue';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import type { Launcher } from './Launcher';
import { MANAGED_SELECTOR, RUN_LABEL } from './labels';
import { coalescePodEvents, decideSessionWithoutEvent, isQuietPending, type PodEvent } from './runDecision';
import { admissionKey } from './admissionKey';
import type { RunLogFollower } from './RunLogFollower';
import { RunLogs } from './RunLogs';
import { RunReconciler } from './RunReconciler';
import { sleep } from './sleep';

/** How long the lease's end waits for its log followers' last batches. */
const FOLLOWER_DRAIN_MS = 5_000;

export interface ReconcilerOptions {
  core: CoreV1Api;
  kubeConfig: KubeConfig;
  namespace: string;
  sessions: Pick<SessionStore, 'getRun' | 'getSession' | 'listActiveSessions'>;
  transitions: Pick<TransitionStore, 'applyTransition'>;
  launcher: Pick<Launcher, 'launch'>;
  /** Whether a session's latest run belongs to this reconciler's cluster; all do when omitted. */
  owns?: (session: SessionWithRuns) => boolean;
  /** Shared by the reconcilers of several clusters: caps and fan-out waves span them. */
  launchQueue?: LaunchQueue;
  follower: RunLogFollower;
  logger: LoggerService;
  finishedPodTtlMs: number;
  resyncIntervalMs: number;
  /** Where runs' outcomes, launch latency, reconcile lag and live log followers are recorded. */
  metrics?: ReconcilerMetrics;
}

/**
 * Moves runs and sessions from what their pods do. Level-triggered: every decision is made from the
 * pod as it is now and the run as stored, so a missed event, a dropped watch or a restart only delays
 * it. Runs inside a lease (`ReconcilerLease`), so one replica at a time watches pods and follows
 * their logs; a replica that takes over re-adopts running pods and resumes their logs without a gap.
 *
 * This class holds the lease and the watch; the per-run decision is `runDecision.ts` (carried out by
 * `RunReconciler`), log following `RunLogs`, clean-up `GarbageCollector`, queued launches `LaunchQueue`.
 */
export class Reconciler {
  private leaseSignal: AbortSignal = AbortSignal.abort();
  /** The pass over active sessions without pods under way, if any. */
  private sessionPass?: Promise<void>;
  private readonly logs: RunLogs;
  private readonly garbage: GarbageCollector;
  private readonly runs: RunReconciler;
  /** One reconcile per run at a time; a burst of events for a run folds into one more. */
  private readonly queue: KeyedWorkQueue<PodEvent>;

  /** Launches what was held back (concurrency caps, a fan-out's later waves), oldest first. */
  readonly launchQueue: LaunchQueue;

  constructor(private readonly options: ReconcilerOptions) {
    const { core, namespace, sessions, logger, metrics } = options;
    this.launchQueue = options.launchQueue ?? new LaunchQueue({ sessions, launcher: options.launcher, logger });
    const lease = () => this.leaseSignal;
    this.logs = new RunLogs({
      core,
      namespace,
      sessions,
      follower: options.follower,
      logger,
      lease,
      reconcilePod: pod => this.reconcilePod(pod),
      metrics,
    });
    this.garbage = new GarbageCollector({ core, namespace, sessions, finishedPodTtlMs: options.finishedPodTtlMs });
    this.runs = new RunReconciler({
      core,
      namespace,
      sessions,
      transitions: options.transitions,
      logs: this.logs,
      garbage: this.garbage,
      launchQueue: this.launchQueue,
      lease,
      metrics,
    });
    this.queue = new KeyedWorkQueue<PodEvent>({
      work: (runId, event) => this.runs.reconcile(runId, event),
      merge: coalescePodEvents,
      onError: (runId, error) => logger.warn(`Reconciling run ${runId} failed: ${describeApiError(error)}`),
      onStart: (_runId, waitedMs) => metrics?.reconcileStarted(waitedMs),
    });
  }

  /** Reconciles while the lease is held, until `lease` aborts: watch, resync, follow logs. */
  async runLease(lease: AbortSignal): Promise<void> {
    this.leaseSignal = lease;
    const { logger } = this.options;
    while (!lease.aborted) {
      try {
        // The watch starts as soon as the pods are listed. The pass that follows the list (every
        // pod's reconcile, the sessions without pods) goes on beside it: a run whose finished log is
        // slow to read, or a launch against a slow API, must not keep every other pod's events
        // waiting until the next list. A list that answers only after the lease ended is dropped.
        const resync = await unlessAborted(this.startResync(lease), lease, error =>
          logger.warn(`Reconciler pass failed after its lease ended: ${describeApiError(error)}`),
        );
        if (lease.aborted || !resync) break;
        resync.settled.catch(error => logger.warn(`Reconciler pass failed: ${describeApiError(error)}`));
        await this.watchUntilBroken(resync.resourceVersion, lease);
      } catch (error) {
        logger.warn(`Reconciler pass failed, retrying: ${describeApiError(error)}`);
        await sleep(1000, lease);
      }
    }
    // Followers stop with the lease; wait for their last batches, but not for long.
    await this.logs.drain(FOLLOWER_DRAIN_MS);
  }

  /**
   * Lists managed pods and active sessions and brings each into line. Returns the list's
   * resourceVersion, once all of that is done.
   */
  async resync(lease: AbortSignal = this.leaseSignal): Promise<string | undefined> {
    const { resourceVersion, settled } = await this.startResync(lease);
    await settled;
    return lease.aborted ? undefined : resourceVersion;
  }

  /**
   * Lists managed pods and starts bringing each, and every active session without a pod, into line.
   * Returns the list's resourceVersion for the watch as soon as the list answers, and `settled`, which
   * ends with the pass. Runs are independent (the queue keeps one reconcile per run), so one waiting
   * for its finished log holds neither the others nor the sessions that have no pod. One pass over
   * the sessions runs at a time: a resync while one is still under way lists the pods again and
   * joins it. The pass stops early when the lease ends.
   */
  private async startResync(lease: AbortSignal): Promise<{ resourceVersion?: string; settled: Promise<void> }> {
    const { core, namespace } = this.options;
    const list = await core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR });
    const pods = new Map<string, V1Pod>();
    for (const pod of list.items) {
      const runId = pod.metadata?.labels?.[RUN_LABEL];
      if (runId) pods.set(runId, pod);
    }
    const podsReconciled = Promise.all([...pods.values()].map(pod => this.reconcilePod(pod)));
    this.sessionPass ??= (async () => {
      await this.decideSessionsWithoutPods(pods, lease);
      if (!lease.aborted) await this.garbage.removeOrphanSecrets(pods);
    })().finally(() => {
      this.sessionPass = undefined;
    });
    const settled = Promise.all([podsReconciled, this.sessionPass]).then(() => undefined);
    return { resourceVersion: list.metadata?.resourceVersion, settled };
  }

  /** Launches queued sessions, launches again interrupted ones, and ends runs whose pod is gone. */
  private async decideSessionsWithoutPods(pods: Map<string, V1Pod>, lease: AbortSignal): Promise<void> {
    const { owns, sessions } = this.options;
    const heldBack = new Set<string>();
    for (const session of await sessions.listActiveSessions()) {
      if (lease.aborted) return;
      // Another cluster's reconciler decides about runs there: no pod here says nothing of them.
      if (owns && !owns(session)) continue;
      const run = session.runs[session.runs.length - 1];
      const action = decideSessionWithoutEvent({ session, hasPod: pods.has(run.id), now: Date.now() });
      if (action.kind === 'launch') {
        if (heldBack.has(admissionKey(session))) continue;
        if (!(await this.options.launcher.launch(session, { afterClaim: true }))) heldBack.add(admissionKey(session));
      } else if (action.kind === 'relaunch') {
        await this.options.launcher.launch(session, { interrupted: true });
      } else if (action.kind === 'finish') {
        await this.runs.finish(session.id, run.id, action.ending);
      }
    }
  }

  /**
   * Brings one run into line with its pod: queued per run, so one reconcile of a run runs at a time
   * and events that arrive meanwhile fold into the next one (the latest pod, or its deletion).
   * Settles once a reconcile that saw this event has run.
   */
  reconcilePod(pod: V1Pod, deleted = false): Promise<void> {
    const runId = pod.metadata?.labels?.[RUN_LABEL];
    if (!runId) return Promise.resolve();
    return this.queue.add(runId, { pod, deleted });
  }

  /** Follows pod events until the watch breaks, times out, or the lease ends; resyncs periodically. */
  private async watchUntilBroken(resourceVersion: string | undefined, lease: AbortSignal) {
    const { kubeConfig, namespace, resyncIntervalMs } = this.options;
    const watch = new Watch(kubeConfig);
    await new Promise<void>(resolve => {
      let controller: AbortController | undefined;
      let stopped = false;
      const stop = () => {
        stopped = true;
        // Defined below; stop runs only after it is.
        // eslint-disable-next-line @typescript-eslint/no-use-before-define
        clearTimeout(resyncTimer);
        lease.removeEventListener('abort', stop);
        controller?.abort();
        resolve();
      };
      // A periodic full resync covers what events cannot: timeouts, orphans, TTLs.
      const resyncTimer = setTimeout(stop, resyncIntervalMs);
      lease.addEventListener('abort', stop);
      watch
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          {
            labelSelector: MANAGED_SELECTOR,
            resourceVersion,
            allowWatchBookmarks: true,
          },
          (type, object) => {
            if (stopped) return;
            if (type === 'DELETED') void this.reconcilePod(object as V1Pod, true);
            if ((type === 'ADDED' || type === 'MODIFIED') && !isQuietPending(object as V1Pod, Date.now())) {
              void this.reconcilePod(object as V1Pod);
            }
            // ERROR (410 Gone and others) ends this watch; the caller re-lists.
            if (type === 'ERROR') stop();
          },
          () => stop(),
        )
        .then(c => {
          controller = c;
          // A watch that answered only after the resync began (a slow API) is closed unused.
          if (stopped) c.abort();
        })
        .catch(() => stop());
    });
  }
}

/**
 * `work`'s value, or undefined as soon as `signal` aborts; a failure of work left behind is reported
 * to `onLateError` rather than left unhandled.
 */
function unlessAborted<T>(
  work: Promise<T>,
  signal: AbortSignal,
  onLateError: (error: unknown) => void,
): Promise<T | undefined> {
  if (signal.aborted) {
    work.catch(onLateError);
    return Promise.resolve(undefined);
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => {
      work.catch(onLateError);
      resolve(undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) onLateError(error);
        else reject(error);
      },
    );
  });
}
