import type { LoggerService } from '@backstage/backend-plugin-api';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { SessionStore } from '../database/SessionStore';
import { describeApiError } from './kubeErrors';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import type { WholeLogRead } from './runDecision';
import type { FollowedRun, RunLogFollower } from './RunLogFollower';
import { sleep } from './sleep';

/** How long a finished pod's follower gets to persist its last lines before the log is re-read. */
const FOLLOWER_SETTLE_MS = 15_000;
/**
 * How long a stopped follower gets to finish its pending writes. One stuck on a write (a database
 * restarting) must not hold the reconciler: the whole-log read below adds what it did not write.
 */
const FOLLOWER_STOP_MS = 5_000;
/** How soon a follower whose stream ended while its pod may still run is started again. */
const REFOLLOW_DELAY_MS = 1_000;
/** Attempts (and the pause before each retry) at reading a finished container's whole log. */
const LOG_READ_RETRIES_MS = [0, 1_000, 3_000];
/** How long each of those reads may take. */
const LOG_READ_TIMEOUT_MS = 30_000;

/** One run's log follower: `done` settles when it stops, saying whether its stream ran to its end. */
interface Following {
  done: Promise<'ended' | 'failed'>;
  settled: boolean;
  stop: AbortController;
}

/**
 * The lease holder's log followers, one per running pod, and the whole-log read that a finished
 * run is judged by. Everything stops with the lease.
 */
export class RunLogs {
  private readonly followers = new Map<string, Following>();

  constructor(
    private readonly options: {
      core: CoreV1Api;
      namespace: string;
      sessions: Pick<SessionStore, 'getRun'>;
      follower: RunLogFollower;
      logger: LoggerService;
      /** The current lease: aborted when this replica no longer holds it. */
      lease: () => AbortSignal;
      /** Brings a run into line with its pod as read again (after its log stream stopped). */
      reconcilePod: (pod: V1Pod) => Promise<void>;
      metrics?: ReconcilerMetrics;
    },
  ) {}

  /**
   * Follows a running pod's log, unless a follower already does. One whose stream stopped while the
   * pod may still run (a dropped connection, an API error) is replaced: the pod is looked at again
   * shortly, and a new follower continues after the last persisted line.
   */
  ensureFollowing(run: FollowedRun) {
    const { runId, podName } = run;
    const lease = this.options.lease();
    const current = this.followers.get(runId);
    if ((current && !current.settled) || lease.aborted) return;
    const stop = new AbortController();
    const signal = AbortSignal.any([lease, stop.signal]);
    this.options.metrics?.followerStarted();
    const following: Following = {
      stop,
      settled: false,
      done: this.options.follower.follow(run, signal).then(
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
      this.options.metrics?.followerStopped();
      const stillFollowed = () => !signal.aborted && this.followers.get(runId) === following;
      if (stillFollowed()) {
        setTimeout(() => {
          if (stillFollowed()) void this.recheck(podName);
        }, REFOLLOW_DELAY_MS).unref();
      }
    });
    this.followers.set(runId, following);
  }

  /**
   * Makes sure a finished pod's log is persisted to its end before the run is judged by it: "no
   * result line" is only ever concluded from a whole log. A follower that ran to the end of its
   * stream and saw the result line is enough; otherwise (it failed, was cut off, never ran, or saw
   * no result line) the finished container's log is read again without following, retried on API
   * errors, and only the lines not yet persisted are added.
   */
  async readWholeLog(run: FollowedRun): Promise<WholeLogRead> {
    const { follower, sessions, logger, lease } = this.options;
    const following = this.followers.get(run.runId);
    let ended = false;
    if (following) {
      // The wait ends with the follower, so no timer outlives it.
      const settling = new AbortController();
      const settled = await Promise.race([
        following.done,
        sleep(FOLLOWER_SETTLE_MS, AbortSignal.any([lease(), settling.signal])),
      ]);
      settling.abort();
      if (settled === undefined) following.stop.abort();
      const stopped = new AbortController();
      ended = (await Promise.race([following.done, sleep(FOLLOWER_STOP_MS, stopped.signal)])) === 'ended';
      stopped.abort();
    }
    if (lease().aborted) return 'lease-lost';
    if (ended && (await sessions.getRun(run.runId))?.result) return 'complete';
    let error = 'no attempt was made';
    for (const pause of LOG_READ_RETRIES_MS) {
      await sleep(pause, lease());
      if (lease().aborted) return 'lease-lost';
      try {
        const signal = AbortSignal.any([lease(), AbortSignal.timeout(LOG_READ_TIMEOUT_MS)]);
        // The read gives up with its signal even where the follower would wait for a write.
        await Promise.race([follower.follow(run, signal, { follow: false }), rejectWhenAborted(signal)]);
        return 'complete';
      } catch (e) {
        error = describeApiError(e);
        logger.warn(`Reading the finished log of run ${run.runId} failed: ${error}`);
      }
    }
    return lease().aborted ? 'lease-lost' : { error };
  }

  /** The run has finished: its follower is no longer tracked. */
  forget(runId: string) {
    this.followers.delete(runId);
  }

  /** At the lease's end: waits for the followers' last batches, but never for long. */
  async drain(maxMs: number): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.followers.values()].map(f => f.done)),
      new Promise(resolve => setTimeout(resolve, maxMs).unref()),
    ]);
    this.followers.clear();
  }

  /** Reconciles one pod as it is now (after its log stream stopped): follows on, or judges the run. */
  private async recheck(podName: string) {
    if (this.options.lease().aborted) return;
    const { core, namespace, logger } = this.options;
    try {
      await this.options.reconcilePod(await core.readNamespacedPod({ name: podName, namespace }));
    } catch (error) {
      // Gone (its deletion event decides) or unreachable (the next resync looks again).
      logger.debug(`Looking at pod ${podName} again failed: ${describeApiError(error)}`);
    }
  }
}

/** A promise that rejects when `signal` aborts (with its reason) and never settles otherwise. */
function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const abort = () => reject(signal.reason ?? new Error('Aborted'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}
