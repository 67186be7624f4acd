import type {
  HarnessResult,
  SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { V1Pod } from '@kubernetes/client-node';
import { HARNESS_CONTAINER } from './labels';

/** What a finished pod means for its run. */
export interface RunOutcome {
  status: Extract<SessionStatus, 'succeeded' | 'failed' | 'timed_out'>;
  exitCode?: number;
  reason?: string;
}

/**
 * Reads a finished pod: `DeadlineExceeded` is a timeout; otherwise the harness's result line decides,
 * and a pod that exits 0 without one (or with a failed one) has failed.
 */
export function runOutcome(pod: V1Pod, result: HarnessResult | undefined): RunOutcome | undefined {
  const phase = pod.status?.phase;
  if (phase !== 'Succeeded' && phase !== 'Failed') return undefined;
  const container = pod.status?.containerStatuses?.find(c => c.name === HARNESS_CONTAINER);
  const terminated = container?.state?.terminated;
  const exitCode = terminated?.exitCode;
  if (pod.status?.reason === 'DeadlineExceeded') {
    return { status: 'timed_out', exitCode, reason: 'The run exceeded its time limit' };
  }
  if (phase === 'Succeeded' && result?.status === 'succeeded') {
    return { status: 'succeeded', exitCode: exitCode ?? 0 };
  }
  if (result?.status === 'interrupted') {
    return {
      status: 'failed',
      exitCode,
      reason: 'The harness was stopped before it finished; its partial work is on the work branch',
    };
  }
  if (phase === 'Succeeded') {
    return {
      status: 'failed',
      exitCode: exitCode ?? 0,
      reason: result
        ? 'The harness reported failure'
        : 'The harness exited without an AGENTS_RESULT line',
    };
  }
  return {
    status: 'failed',
    exitCode,
    reason:
      [terminated?.reason, terminated?.message, pod.status?.message]
        .filter(Boolean)
        .join(': ') || `The harness exited with code ${exitCode ?? 'unknown'}`,
  };
}
