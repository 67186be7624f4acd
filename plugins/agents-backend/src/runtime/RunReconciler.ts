import {
  isTerminalStatus,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { CoreV1Api } from '@kubernetes/client-node';
import type { SessionStore } from '../database/SessionStore';
import type { TransitionStore } from '../database/TransitionStore';
import { readLogLinesPerSecond } from '../logs/LogFloodCap';
import type { GarbageCollector } from './GarbageCollector';
import type { LaunchQueue } from './LaunchQueue';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import { decideRun, judgeFinishedRun, type PodEvent, type RunEnding } from './runDecision';
import type { RunLogs } from './RunLogs';

/**
 * Carries out the decision for one run (`decideRun`, then `judgeFinishedRun` once a finished pod's
 * whole log is read): status moves, log following, clean-up. Called one run at a time per run.
 */
export class RunReconciler {
  constructor(
    private readonly options: {
      core: CoreV1Api;
      namespace: string;
      sessions: Pick<SessionStore, 'getRun' | 'getSession'>;
      transitions: Pick<TransitionStore, 'applyTransition'>;
      logs: RunLogs;
      garbage: GarbageCollector;
      launchQueue: LaunchQueue;
      /** The current lease: aborted when this replica no longer holds it. */
      lease: () => AbortSignal;
      metrics?: ReconcilerMetrics;
    },
  ) {}

  /** Brings one run into line with its pod as the event shows it. */
  async reconcile(runId: string, { pod, deleted }: PodEvent): Promise<void> {
    // Another replica holds the lease now: it re-lists every pod and decides.
    if (this.options.lease().aborted) return;
    const { sessions, logs } = this.options;
    const run = await sessions.getRun(runId);
    const session = run ? await sessions.getSession(run.sessionId) : undefined;
    const action = decideRun({ pod, deleted, run, session, now: Date.now() });
    if (action.kind === 'none') return;
    if (action.kind === 'clean-up') {
      await this.options.garbage.cleanUpPod(pod, action.finishedAt);
      return;
    }
    // Every other action is about the latest run of a stored session.
    if (!run || !session) return;
    if (action.kind === 'finish') {
      if (action.deletePod) {
        await this.options.core
          .deleteNamespacedPod({ name: pod.metadata!.name!, namespace: this.options.namespace })
          .catch(() => undefined);
      }
      // The session was just read: finishing need not read it again before its write.
      await this.finish(session.id, run.id, action.ending, action.deletePod ? undefined : session);
      return;
    }
    if (action.start && (await this.move(session, 'running'))) {
      this.options.metrics?.podRunning(session.harness, session.updatedAt);
    }
    const followed = {
      sessionId: session.id,
      runId: run.id,
      podName: pod.metadata!.name!,
      harness: session.harness,
      policy: {
        name: session.policy.name,
        logLinesPerSecond: readLogLinesPerSecond(session.policy.snapshot),
      },
    };
    if (action.kind === 'follow') {
      logs.ensureFollowing(followed);
      return;
    }
    const read = await logs.readWholeLog(followed);
    // The result line is read after the whole log is, never before.
    const result = read === 'complete' ? (await sessions.getRun(run.id))?.result : undefined;
    const ending = judgeFinishedRun(pod, read, result, Date.now());
    if (ending) await this.finish(session.id, run.id, ending);
  }

  /**
   * Ends the run, unless it is no longer its session's latest or the session has already ended.
   * `known` is the session as the caller has just read it; the write checks the status as stored
   * either way, so a session that moved meanwhile is not overwritten.
   */
  async finish(sessionId: string, runId: string, ending: RunEnding, known?: SessionWithRuns) {
    const { sessions, transitions } = this.options;
    const session = known ?? (await sessions.getSession(sessionId));
    if (!session || session.runs[session.runs.length - 1]?.id !== runId) return;
    if (isTerminalStatus(session.status)) return;
    const finished = await transitions
      .applyTransition(sessionId, ending.status, {
        summary: ending.summary,
        headCommit: ending.headCommit,
        run: { exitCode: ending.exitCode, reason: ending.reason },
      })
      .catch(() => undefined);
    if (finished) {
      this.options.metrics?.runFinished(ending.status, session.harness);
      // A slot may have freed: start what the concurrency caps held back, oldest first.
      void this.options.launchQueue.launchQueued();
    }
    this.options.logs.forget(runId);
  }

  private async move(session: SessionWithRuns, to: SessionStatus): Promise<boolean> {
    const moved = await this.options.transitions.applyTransition(session.id, to).catch(() => undefined);
    return Boolean(moved);
  }
}
