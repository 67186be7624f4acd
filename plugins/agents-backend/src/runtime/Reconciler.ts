import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  isTerminalStatus,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import {
  Watch,
  type CoreV1Api,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import type { SessionStore } from '../database/SessionStore';
import type { LogHub } from '../logs/LogHub';
import { describeApiError, isNotFound } from './kubeErrors';
import type { Launcher } from './Launcher';
import { HARNESS_CONTAINER, MANAGED_SELECTOR, RUN_LABEL } from './labels';
import { runOutcome } from './outcome';
import type { FollowedRun, RunLogFollower } from './RunLogFollower';

/** How long a launch may take to create its pod before a missing pod counts as gone. */
const LAUNCH_GRACE_MS = 60_000;
/** How long a finished pod's follower gets to persist its last lines before the log is re-read. */
const FOLLOWER_SETTLE_MS = 15_000;
/** How soon a follower whose stream ended while its pod may still run is started again. */
const REFOLLOW_DELAY_MS = 1_000;
/** Attempts (and the pause before each retry) at reading a finished container's whole log. */
const LOG_READ_RETRIES_MS = [0, 1_000, 3_000];
/** How long each of those reads may take. */
const LOG_READ_TIMEOUT_MS = 30_000;
/** After this long since the container ended, a log that still cannot be read fails the run. */
const LOG_READ_GIVE_UP_MS = 5 * 60_000;

/** One run's log follower: `done` settles when it stops, saying whether its stream ran to its end. */
interface Following {
  done: Promise<'ended' | 'failed'>;
  settled: boolean;
  stop: AbortController;
}

export interface ReconcilerOptions {
  core: CoreV1Api;
  kubeConfig: KubeConfig;
  namespace: string;
  store: SessionStore;
  hub: LogHub;
  launcher: Launcher;
  follower: RunLogFollower;
  logger: LoggerService;
  finishedPodTtlMs: number;
  resyncIntervalMs: number;
  /** Told when a run has finished and its session is stored as finished (opens the pull request). */
  onRunFinished?: (sessionId: string) => void;
}

/**
 * Moves runs and sessions from what their pods do. Level-triggered: every decision is made from the
 * pod as it is now and the run as stored, so a missed event, a dropped watch or a restart only delays
 * it. Runs inside a lease (a global scheduled task), so one replica at a time watches pods and follows
 * their logs; a replica that takes over re-adopts running pods and resumes their logs without a gap.
 */
export class Reconciler {
  private readonly followers = new Map<string, Following>();
  private readonly locks = new Map<string, Promise<void>>();
  private leaseSignal: AbortSignal = AbortSignal.abort();
  private queuedPass?: Promise<void>;
  private queuedAgain = false;

  constructor(private readonly options: ReconcilerOptions) {}

  /** Holds the lease for `durationMs` (or until aborted): watch, resync, follow logs. */
  async runLease(signal: AbortSignal, durationMs: number): Promise<void> {
    const lease = AbortSignal.any([signal, AbortSignal.timeout(durationMs)]);
    this.leaseSignal = lease;
    const { logger } = this.options;
    logger.debug(`Reconciler lease taken for ${durationMs} ms`);
    while (!lease.aborted) {
      try {
        const resourceVersion = await this.resync();
        await this.watchUntilBroken(resourceVersion, lease);
      } catch (error) {
        logger.warn(`Reconciler pass failed, retrying: ${describeApiError(error)}`);
        await sleep(1000, lease);
      }
    }
    // Followers stop with the lease; wait for their last batches, but never hold the task for long.
    await Promise.race([
      Promise.allSettled([...this.followers.values()].map(f => f.done)),
      new Promise(resolve => setTimeout(resolve, 5000).unref()),
    ]);
    this.followers.clear();
  }

  /**
   * Lists managed pods and active sessions and brings each into line. Returns the list's
   * resourceVersion for the watch that follows.
   */
  async resync(): Promise<string | undefined> {
    const { core, namespace, store } = this.options;
    const list = await core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR });
    const pods = new Map<string, V1Pod>();
    for (const pod of list.items) {
      const runId = pod.metadata?.labels?.[RUN_LABEL];
      if (runId) pods.set(runId, pod);
    }
    for (const session of await store.listActiveSessions()) {
      const run = session.runs[session.runs.length - 1];
      const pod = pods.get(run.id);
      if (session.status === 'pending') {
        await this.options.launcher.launch(session);
      } else if (!pod && Date.now() - Date.parse(session.updatedAt) > LAUNCH_GRACE_MS) {
        // Not within the grace period of a launch still creating its pod: the pod is gone.
        await this.finish(session.id, run.id, 'failed', {
          reason: 'The pod disappeared before the run finished',
        });
      }
    }
    // Every pod once: live runs move on, finished and orphaned ones are cleaned up.
    for (const pod of pods.values()) {
      await this.reconcilePod(pod);
    }
    await this.removeOrphanSecrets(pods);
    return list.metadata?.resourceVersion;
  }

  /**
   * Offers every pending session a launch, oldest first. Runs that finish together ask for this at
   * once; those asks fold into one more pass after the current one instead of a pass each, which
   * with hundreds of queued tasks would re-check every one of them for every finished run.
   */
  private launchQueued(): Promise<void> {
    if (this.queuedPass) {
      this.queuedAgain = true;
      return this.queuedPass;
    }
    this.queuedPass = (async () => {
      do {
        this.queuedAgain = false;
        try {
          for (const session of await this.options.store.listActiveSessions()) {
            if (session.status === 'pending') await this.options.launcher.launch(session);
          }
        } catch (error) {
          this.options.logger.warn(`Starting queued sessions failed: ${error}`);
        }
      } while (this.queuedAgain);
    })().finally(() => {
      this.queuedPass = undefined;
    });
    return this.queuedPass;
  }

  /** Brings one run into line with its pod; serialized per run. */
  reconcilePod(pod: V1Pod, deleted = false): Promise<void> {
    const runId = pod.metadata?.labels?.[RUN_LABEL];
    if (!runId) return Promise.resolve();
    const previous = this.locks.get(runId) ?? Promise.resolve();
    const next = previous
      .then(() => this.reconcileRun(runId, pod, deleted))
      .catch(error =>
        this.options.logger.warn(`Reconciling run ${runId} failed: ${describeApiError(error)}`),
      );
    this.locks.set(runId, next);
    next.finally(() => {
      if (this.locks.get(runId) === next) this.locks.delete(runId);
    });
    return next;
  }

  private async reconcileRun(runId: string, pod: V1Pod, deleted: boolean) {
    // Another replica holds the lease now: it re-lists every pod and decides.
    if (this.leaseSignal.aborted) return;
    const { store } = this.options;
    const run = await store.getRun(runId);
    const session = run ? await store.getSession(run.sessionId) : undefined;
    const latest = session?.runs[session.runs.length - 1];
    if (!run || !session || latest?.id !== run.id || isTerminalStatus(run.phase)) {
      // An orphan, an older attempt, or a finished run: its pod only waits for clean-up.
      if (!deleted) await this.cleanUp(pod, run?.finishedAt);
      return;
    }
    if (deleted) {
      await this.finish(session.id, run.id, 'failed', {
        reason: 'The pod was deleted before the run finished',
      });
      return;
    }
    const phase = pod.status?.phase;
    // Timed from the pod's creation: a session queued behind a concurrency cap waited as pending
    // before it got a pod, and that wait does not count.
    const podCreated = pod.metadata?.creationTimestamp
      ? new Date(pod.metadata.creationTimestamp).toISOString()
      : run.createdAt;
    if (phase === 'Pending' && this.pendingTooLong(podCreated, session)) {
      // activeDeadlineSeconds only counts once the pod runs; a pod stuck pending is timed out here.
      await this.options.core
        .deleteNamespacedPod({ name: pod.metadata!.name!, namespace: this.options.namespace })
        .catch(() => undefined);
      await this.finish(session.id, run.id, 'timed_out', {
        reason: 'The pod did not start within the time limit',
      });
      return;
    }
    if (phase === 'Running') {
      if (session.status === 'starting') {
        await this.move(session, 'running');
      }
      this.ensureFollowing(session.id, run.id, pod.metadata!.name!);
    }
    if (phase === 'Succeeded' || phase === 'Failed') {
      if (session.status === 'starting') {
        await this.move(session, 'running');
      }
      const read = await this.readWholeLog({ sessionId: session.id, runId: run.id, podName: pod.metadata!.name! });
      if (read !== 'complete') {
        if (read === 'lease-lost' || !this.logReadGivenUp(pod)) return;
        await this.finish(session.id, run.id, 'failed', {
          reason: `The run's log could not be read to its end: ${read.error}`,
        });
        return;
      }
      const result = (await store.getRun(run.id))?.result;
      const outcome = runOutcome(pod, result);
      if (outcome) {
        await this.finish(session.id, run.id, outcome.status, {
          exitCode: outcome.exitCode,
          reason: outcome.reason,
          summary: result?.summary,
          headCommit: result?.headCommit,
        });
      }
    }
  }

  /**
   * Makes sure a finished pod's log is persisted to its end before the run is judged by it: "no
   * result line" is only ever concluded from a whole log. A follower that ran to the end of its
   * stream and saw the result line is enough; otherwise (it failed, was cut off, never ran, or saw
   * no result line) the finished container's log is read again without following, retried on API
   * errors, and only the lines not yet persisted are added.
   */
  private async readWholeLog(
    run: FollowedRun,
  ): Promise<'complete' | 'lease-lost' | { error: string }> {
    const { follower, store, logger } = this.options;
    const following = this.followers.get(run.runId);
    let ended = false;
    if (following) {
      const settled = await Promise.race([following.done, sleep(FOLLOWER_SETTLE_MS, this.leaseSignal)]);
      if (settled === undefined) following.stop.abort();
      ended = (await following.done) === 'ended';
    }
    if (this.leaseSignal.aborted) return 'lease-lost';
    if (ended && (await store.getRun(run.runId))?.result) return 'complete';
    let error = 'no attempt was made';
    for (const pause of LOG_READ_RETRIES_MS) {
      await sleep(pause, this.leaseSignal);
      if (this.leaseSignal.aborted) return 'lease-lost';
      try {
        const signal = AbortSignal.any([this.leaseSignal, AbortSignal.timeout(LOG_READ_TIMEOUT_MS)]);
        await follower.follow(run, signal, { follow: false });
        return 'complete';
      } catch (e) {
        error = describeApiError(e);
        logger.warn(`Reading the finished log of run ${run.runId} failed: ${error}`);
      }
    }
    return this.leaseSignal.aborted ? 'lease-lost' : { error };
  }

  /** Whether the container ended so long ago that its log is not coming back. */
  private logReadGivenUp(pod: V1Pod): boolean {
    const terminated = pod.status?.containerStatuses?.find(c => c.name === HARNESS_CONTAINER)?.state
      ?.terminated;
    const endedAt = terminated?.finishedAt ? new Date(terminated.finishedAt).getTime() : Date.now();
    return Date.now() - endedAt > LOG_READ_GIVE_UP_MS;
  }

  private pendingTooLong(since: string, session: SessionWithRuns): boolean {
    const timeoutSeconds = Number(session.policy.snapshot.timeoutSeconds ?? 3600);
    return Date.now() - Date.parse(since) > timeoutSeconds * 1000 + LAUNCH_GRACE_MS;
  }

  /**
   * Follows a running pod's log, unless a follower already does. One whose stream stopped while the
   * pod may still run (a dropped connection, an API error) is replaced: the pod is looked at again
   * shortly, and a new follower continues after the last persisted line.
   */
  private ensureFollowing(sessionId: string, runId: string, podName: string) {
    const current = this.followers.get(runId);
    if ((current && !current.settled) || this.leaseSignal.aborted) return;
    const stop = new AbortController();
    const signal = AbortSignal.any([this.leaseSignal, stop.signal]);
    const following: Following = {
      stop,
      settled: false,
      done: this.options.follower.follow({ sessionId, runId, podName }, signal).then(
        () => 'ended' as const,
        error => {
          if (!signal.aborted) {
            this.options.logger.warn(`Following the log of run ${runId} failed: ${describeApiError(error)}`);
          }
          return 'failed' as const;
        },
      ),
    };
    following.done.then(() => {
      following.settled = true;
      const stillFollowed = () => !signal.aborted && this.followers.get(runId) === following;
      if (stillFollowed()) {
        setTimeout(() => {
          if (stillFollowed()) void this.recheck(podName);
        }, REFOLLOW_DELAY_MS).unref();
      }
    });
    this.followers.set(runId, following);
  }

  /** Reconciles one pod as it is now (after its log stream stopped): follows on, or judges the run. */
  private async recheck(podName: string) {
    if (this.leaseSignal.aborted) return;
    const { core, namespace, logger } = this.options;
    try {
      await this.reconcilePod(await core.readNamespacedPod({ name: podName, namespace }));
    } catch (error) {
      // Gone (its deletion event decides) or unreachable (the next resync looks again).
      logger.debug(`Looking at pod ${podName} again failed: ${describeApiError(error)}`);
    }
  }

  private async move(session: SessionWithRuns, to: SessionStatus) {
    const moved = await this.options.store.applyTransition(session.id, to).catch(() => undefined);
    if (moved) this.options.hub.publishStatus(...moved);
  }

  private async finish(
    sessionId: string,
    runId: string,
    status: Extract<SessionStatus, 'succeeded' | 'failed' | 'timed_out'>,
    details: { exitCode?: number; reason?: string; summary?: string; headCommit?: string },
  ) {
    const { store, hub } = this.options;
    const session = await store.getSession(sessionId);
    if (!session || session.runs[session.runs.length - 1]?.id !== runId) return;
    if (isTerminalStatus(session.status)) return;
    const finished = await store
      .applyTransition(sessionId, status, {
        summary: details.summary,
        headCommit: details.headCommit,
        run: { exitCode: details.exitCode, reason: details.reason },
      })
      .catch(() => undefined);
    if (finished) {
      // The session's status, and its fan-out's when this was the task that moved it.
      hub.publishStatus(...finished);
      this.options.onRunFinished?.(sessionId);
      // A slot may have freed: start what the concurrency caps held back, oldest first.
      void this.launchQueued();
    }
    this.followers.delete(runId);
  }

  /** Deletes a finished run's pod once its time-to-live has passed, and an orphan's at once. */
  private async cleanUp(pod: V1Pod, finishedAt: string | undefined) {
    if (pod.metadata?.deletionTimestamp) return;
    const { core, namespace, finishedPodTtlMs } = this.options;
    const age = finishedAt ? Date.now() - Date.parse(finishedAt) : Infinity;
    if (age < finishedPodTtlMs) return;
    await core
      .deleteNamespacedPod({ name: pod.metadata!.name!, namespace })
      .catch(error => {
        if (!isNotFound(error)) throw error;
      });
  }

  /**
   * Secrets are owned by their pods and go with them; one without an owner is left by a launch that
   * stopped between creating it and its pod. It is removed unless its run is still being launched.
   */
  private async removeOrphanSecrets(pods: Map<string, V1Pod>) {
    const { core, namespace, store } = this.options;
    const secrets = await core.listNamespacedSecret({ namespace, labelSelector: MANAGED_SELECTOR });
    for (const secret of secrets.items) {
      const runId = secret.metadata?.labels?.[RUN_LABEL];
      if (!runId || pods.has(runId) || secret.metadata?.ownerReferences?.length) continue;
      const run = await store.getRun(runId);
      if (run && !isTerminalStatus(run.phase)) {
        const session = await store.getSession(run.sessionId);
        if (session && Date.now() - Date.parse(session.updatedAt) < LAUNCH_GRACE_MS) continue;
      }
      await core
        .deleteNamespacedSecret({ name: secret.metadata!.name!, namespace })
        .catch(error => {
          if (!isNotFound(error)) throw error;
        });
    }
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
            if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
              this.reconcilePod(object as V1Pod, type === 'DELETED');
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

/** Waits `ms`, or less when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}
