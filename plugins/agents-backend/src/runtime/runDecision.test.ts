import type { HarnessRun, SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { V1Pod } from '@kubernetes/client-node';
import { HARNESS_CONTAINER } from './labels';
import {
  decideRun,
  decideSessionWithoutEvent,
  isQuietPending,
  judgeFinishedRun,
  LOG_READ_GIVE_UP_MS,
  PENDING_EXTRA_MS,
  POD_CREATION_GRACE_MS,
} from './runDecision';

const now = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(now - ms).toISOString();

const run = { id: 'r1', sessionId: 's1', phase: 'running', createdAt: ago(0) } as HarnessRun;
const session = (status: string, updatedAgoMs = 0) =>
  ({
    id: 's1',
    status,
    updatedAt: ago(updatedAgoMs),
    runs: [run],
    policy: { snapshot: { timeoutSeconds: 60 } },
  }) as unknown as SessionWithRuns;
const pod = (phase: string, createdAgoMs = 0, endedAgoMs?: number): V1Pod => ({
  metadata: { name: 'agents-run-r1', creationTimestamp: new Date(now - createdAgoMs) },
  status: {
    phase,
    containerStatuses:
      endedAgoMs === undefined
        ? []
        : [{ name: HARNESS_CONTAINER, state: { terminated: { exitCode: 0, finishedAt: new Date(now - endedAgoMs) } } } as any],
  },
});

describe('decideRun', () => {
  it('cleans up the pod of an unknown or finished run, and ignores its deletion', () => {
    expect(decideRun({ pod: pod('Running'), deleted: false, run: undefined, session: undefined, now })).toEqual({
      kind: 'clean-up',
      finishedAt: undefined,
    });
    const done = { ...run, phase: 'succeeded', finishedAt: ago(5) } as HarnessRun;
    expect(decideRun({ pod: pod('Succeeded'), deleted: false, run: done, session: session('succeeded'), now })).toEqual({
      kind: 'clean-up',
      finishedAt: ago(5),
    });
    expect(decideRun({ pod: pod('Running'), deleted: true, run: done, session: session('succeeded'), now })).toEqual({
      kind: 'none',
    });
  });

  it('fails a live run whose pod was deleted', () => {
    expect(decideRun({ pod: pod('Running'), deleted: true, run, session: session('running'), now })).toMatchObject({
      kind: 'finish',
      ending: { status: 'failed', reason: 'The pod was deleted before the run finished' },
    });
  });

  it('times out a pod pending past its policy timeout and the extra time, and deletes it', () => {
    const limit = 60_000 + PENDING_EXTRA_MS;
    expect(decideRun({ pod: pod('Pending', limit - 1), deleted: false, run, session: session('starting'), now }).kind).toBe('none');
    expect(decideRun({ pod: pod('Pending', limit + 1), deleted: false, run, session: session('starting'), now })).toMatchObject({
      kind: 'finish',
      deletePod: true,
      ending: { status: 'timed_out' },
    });
  });

  it('follows a running pod and judges a finished one, starting the session first when it is starting', () => {
    expect(decideRun({ pod: pod('Running'), deleted: false, run, session: session('starting'), now })).toEqual({ kind: 'follow', start: true });
    expect(decideRun({ pod: pod('Failed'), deleted: false, run, session: session('running'), now })).toEqual({ kind: 'judge', start: false });
  });
});

describe('decideSessionWithoutEvent', () => {
  it('launches a pending session, and fails a running one whose pod is missing past the launch grace', () => {
    expect(decideSessionWithoutEvent({ session: session('pending'), hasPod: false, now }).kind).toBe('launch');
    expect(decideSessionWithoutEvent({ session: session('starting', POD_CREATION_GRACE_MS - 1), hasPod: false, now }).kind).toBe('none');
    expect(decideSessionWithoutEvent({ session: session('running', POD_CREATION_GRACE_MS + 1), hasPod: false, now }).kind).toBe('finish');
    expect(decideSessionWithoutEvent({ session: session('running', POD_CREATION_GRACE_MS + 1), hasPod: true, now }).kind).toBe('none');
  });

  it('launches again a starting session whose launch died before creating its pod', () => {
    expect(decideSessionWithoutEvent({ session: session('starting', POD_CREATION_GRACE_MS + 1), hasPod: false, now }).kind).toBe('relaunch');
    expect(decideSessionWithoutEvent({ session: session('starting', POD_CREATION_GRACE_MS + 1), hasPod: true, now }).kind).toBe('none');
  });
});

describe('judgeFinishedRun', () => {
  it('judges only from a whole log', () => {
    expect(judgeFinishedRun(pod('Succeeded', 0, 1_000), 'lease-lost', undefined, now)).toBeUndefined();
    expect(judgeFinishedRun(pod('Succeeded', 0, 1_000), { error: 'HTTP 500' }, undefined, now)).toBeUndefined();
    expect(judgeFinishedRun(pod('Succeeded', 0, 1_000), 'complete', undefined, now)).toMatchObject({
      status: 'failed',
      reason: 'The harness exited without an AGENTS_RESULT line',
    });
  });

  it('fails a run whose log is still unreadable long after its container ended, saying so', () => {
    expect(judgeFinishedRun(pod('Succeeded', 0, LOG_READ_GIVE_UP_MS + 1), { error: 'HTTP 500' }, undefined, now)).toEqual({
      status: 'failed',
      reason: "The run's log could not be read to its end: HTTP 500",
    });
  });

  it('carries the result line into a succeeded run', () => {
    const result = { status: 'succeeded', summary: 'Did it', headCommit: 'abc1234' } as any;
    expect(judgeFinishedRun(pod('Succeeded', 0, 1_000), 'complete', result, now)).toEqual({
      status: 'succeeded',
      exitCode: 0,
      summary: 'Did it',
      headCommit: 'abc1234',
    });
  });
});

describe('isQuietPending', () => {
  it('skips only young pods that wait to start and are not being deleted', () => {
    expect(isQuietPending(pod('Pending', 1_000), now)).toBe(true);
    expect(isQuietPending({ metadata: { creationTimestamp: new Date(now) } }, now)).toBe(true);
    // Old enough that some policy's pending limit may have passed: the reconciler decides.
    expect(isQuietPending(pod('Pending', PENDING_EXTRA_MS), now)).toBe(false);
    expect(isQuietPending(pod('Running', 1_000), now)).toBe(false);
    expect(isQuietPending(pod('Failed', 1_000), now)).toBe(false);
    const deleting = pod('Pending', 1_000);
    deleting.metadata!.deletionTimestamp = new Date(now);
    expect(isQuietPending(deleting, now)).toBe(false);
    expect(isQuietPending({ status: { phase: 'Pending' } }, now)).toBe(false);
  });
});
