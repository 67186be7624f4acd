import {
  isTerminalStatus,
  type HarnessResult,
  type HarnessRun,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { V1Pod } from '@kubernetes/client-node';
import { HARNESS_CONTAINER } from './labels';
import { runOutcome } from './outcome';

/** How long a launch may take to create its pod before a missing pod counts as gone. */
export const POD_CREATION_GRACE_MS = 60_000;
/** The time a pending pod gets beyond its policy's timeout before it is timed out. */
export const PENDING_EXTRA_MS = 60_000;
/** After this long since the container ended, a log that still cannot be read fails the run. */
export const LOG_READ_GIVE_UP_MS = 5 * 60_000;

/** One watch event (or listed pod) for a run. */
export interface PodEvent {
  pod: V1Pod;
  deleted: boolean;
}

/**
 * Folds a newer event for a run into the one still waiting: the newer pod wins, except over a
 * deletion, which must not be lost (the pod is gone, whatever came before).
 */
export function coalescePodEvents(pending: PodEvent, incoming: PodEvent): PodEvent {
  return pending.deleted && !incoming.deleted ? pending : incoming;
}

/** How a run ends. */
export interface RunEnding {
  status: Extract<SessionStatus, 'succeeded' | 'failed' | 'timed_out'>;
  exitCode?: number;
  reason?: string;
  summary?: string;
  headCommit?: string;
}

/** What to do about one run, decided from its pod as it is now and the run and session as stored. */
export type RunAction =
  /** Nothing now; a later event or resync looks again. */
  | { kind: 'none' }
  /** An orphan, an older attempt, or a finished run: its pod only waits for clean-up. */
  | { kind: 'clean-up'; finishedAt?: string }
  /** End the run without reading its log (deleting its pod first when `deletePod`). */
  | { kind: 'finish'; ending: RunEnding; deletePod?: boolean }
  /** The pod runs: follow its log (after moving the session to `running` when `start`). */
  | { kind: 'follow'; start: boolean }
  /** The pod has finished: judge the run from its whole log (see `judgeFinishedRun`). */
  | { kind: 'judge'; start: boolean };

/** Decides one run from its pod. `run` and `session` are as stored (undefined when unknown). */
export function decideRun(input: {
  pod: V1Pod;
  deleted: boolean;
  run: HarnessRun | undefined;
  session: SessionWithRuns | undefined;
  now: number;
}): RunAction {
  const { pod, deleted, run, session, now } = input;
  const latest = session?.runs[session.runs.length - 1];
  if (!run || !session || latest?.id !== run.id || isTerminalStatus(run.phase)) {
    return deleted ? { kind: 'none' } : { kind: 'clean-up', finishedAt: run?.finishedAt };
  }
  if (deleted) {
    return { kind: 'finish', ending: { status: 'failed', reason: 'The pod was deleted before the run finished' } };
  }
  const phase = pod.status?.phase;
  const start = session.status === 'starting';
  // Timed from the pod's creation: a session queued behind a concurrency cap waited as pending
  // before it got a pod, and that wait does not count.
  const podCreated = pod.metadata?.creationTimestamp
    ? new Date(pod.metadata.creationTimestamp).toISOString()
    : run.createdAt;
  if (phase === 'Pending' && pendingTooLong(podCreated, session, now)) {
    // activeDeadlineSeconds only counts once the pod runs; a pod stuck pending is timed out here.
    return {
      kind: 'finish',
      deletePod: true,
      ending: { status: 'timed_out', reason: 'The pod did not start within the time limit' },
    };
  }
  if (phase === 'Running') return { kind: 'follow', start };
  if (phase === 'Succeeded' || phase === 'Failed') return { kind: 'judge', start };
  return { kind: 'none' };
}

/**
 * Whether a watch event about the pod can change nothing now, so the reconciler need not read its run:
 * the pod waits to start (Pending, not being deleted) and is too young to have waited too long under
 * any policy. Each launch brings such events (created, scheduled, pulling), and reading the run and
 * session for each would cost the database more than the launch itself; the periodic resync still
 * looks at every pod.
 */
export function isQuietPending(pod: V1Pod, now: number): boolean {
  const phase = pod.status?.phase;
  if ((phase && phase !== 'Pending') || pod.metadata?.deletionTimestamp) return false;
  const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : NaN;
  return now - created < PENDING_EXTRA_MS;
}

/** What the resync does about an active session: launch it, fail it (its pod is gone), or nothing. */
export function decideSessionWithoutEvent(input: {
  session: SessionWithRuns;
  hasPod: boolean;
  now: number;
}): { kind: 'launch' } | { kind: 'relaunch' } | { kind: 'finish'; ending: RunEnding } | { kind: 'none' } {
  const { session, hasPod, now } = input;
  if (session.status === 'pending') return { kind: 'launch' };
  // Not within the grace period of a launch still creating its pod: the pod is gone.
  if (!hasPod && now - Date.parse(session.updatedAt) > POD_CREATION_GRACE_MS) {
    // Never seen running: the launch that claimed it died before creating its pod; launch it again.
    if (session.status === 'starting') return { kind: 'relaunch' };
    return { kind: 'finish', ending: { status: 'failed', reason: 'The pod disappeared before the run finished' } };
  }
  return { kind: 'none' };
}

/** How reading a finished container's whole log went (see `RunLogs.readWholeLog`). */
export type WholeLogRead = 'complete' | 'lease-lost' | { error: string };

/**
 * Judges a finished run. Only a whole log judges it (its outcome needs `read === 'complete'`, with
 * `result` read after it): a replica whose lease ended decides nothing, and a log that cannot be read
 * fails the run only once it is given up, with a reason that says so, never "no result line".
 */
export function judgeFinishedRun(
  pod: V1Pod,
  read: WholeLogRead,
  result: HarnessResult | undefined,
  now: number,
): RunEnding | undefined {
  if (read === 'lease-lost') return undefined;
  if (read !== 'complete') {
    if (!logReadGivenUp(pod, now)) return undefined;
    return { status: 'failed', reason: `The run's log could not be read to its end: ${read.error}` };
  }
  const outcome = runOutcome(pod, result);
  return outcome && { ...outcome, summary: result?.summary, headCommit: result?.headCommit };
}

/** Whether the container ended so long ago that its log is not coming back. */
function logReadGivenUp(pod: V1Pod, now: number): boolean {
  const terminated = pod.status?.containerStatuses?.find(c => c.name === HARNESS_CONTAINER)?.state
    ?.terminated;
  const endedAt = terminated?.finishedAt ? new Date(terminated.finishedAt).getTime() : now;
  return now - endedAt > LOG_READ_GIVE_UP_MS;
}

function pendingTooLong(since: string, session: SessionWithRuns, now: number): boolean {
  const timeoutSeconds = Number(session.policy.snapshot.timeoutSeconds ?? 3600);
  return now - Date.parse(since) > timeoutSeconds * 1000 + PENDING_EXTRA_MS;
}
