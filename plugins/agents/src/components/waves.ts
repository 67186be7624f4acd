import {
  SESSION_STATUSES,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import type { AgentsSession, AgentsSessionStatus } from '../api/types';
import { byTaskId } from './fanOut';
import { statusLabel } from './format';

// A fan-out with an integration branch runs its tasks in waves: the tasks of wave n stay pending
// until waves 1..n-1 have succeeded and been merged into the integration branch.

type FanOutWaves = Pick<
  AgentsSession,
  'status' | 'integrationBranch' | 'currentWave' | 'waveError'
>;

/** Whether a fan-out runs its tasks in waves. */
export function runsInWaves(
  fanOut: Pick<AgentsSession, 'integrationBranch'> | undefined,
): boolean {
  return !!fanOut?.integrationBranch;
}

/** The wave whose tasks may run now (1 until the fan-out says otherwise). */
export function currentWaveOf(fanOut: Pick<AgentsSession, 'currentWave'>) {
  return fanOut.currentWave ?? 1;
}

/**
 * The wave a task waits for when it is held back by its fan-out (pending, in a wave after the
 * current one): the wave just before its own. Undefined for any other task.
 */
export function waitingForWave(
  task: Pick<AgentsSession, 'status' | 'wave'>,
  fanOut: Pick<AgentsSession, 'integrationBranch' | 'currentWave'> | undefined,
): number | undefined {
  if (!fanOut || !runsInWaves(fanOut)) return undefined;
  if (task.status !== 'pending' || task.wave === undefined) return undefined;
  return task.wave > currentWaveOf(fanOut) ? task.wave - 1 : undefined;
}

/** `waiting for wave 2`: how a held task's status reads. */
export function waitingForWaveLabel(wave: number): string {
  return `waiting for wave ${wave}`;
}

/** How a wave stands, as its header says it. */
export type WaveState =
  | 'merged'
  | 'succeeded'
  | 'running'
  | 'failed'
  | 'cancelled'
  | 'waiting';

/** One wave of a fan-out's tasks (`wave` undefined for tasks that have none), in task order. */
export type WaveGroup = {
  wave?: number;
  state?: WaveState;
  tasks: AgentsSession[];
  /** How many of its tasks read each way (`queued`, `waiting`, `running`, …), in lifecycle order. */
  counts: { label: string; count: number }[];
};

function waveState(
  wave: number,
  tasks: AgentsSession[],
  fanOut: FanOutWaves,
): WaveState {
  const current = currentWaveOf(fanOut);
  if (wave < current) return 'merged';
  const stopped = !!fanOut.waveError || isTerminalStatus(fanOut.status);
  if (wave > current) return stopped ? 'cancelled' : 'waiting';
  if (fanOut.waveError) return 'failed';
  // Every task succeeded: merging them is the backend's next step, which moves the current wave on.
  if (tasks.length > 0 && tasks.every(t => t.status === 'succeeded'))
    return 'succeeded';
  if (fanOut.status === 'cancelled') return 'cancelled';
  if (isTerminalStatus(fanOut.status)) return 'failed';
  return 'running';
}

function countsOf(tasks: AgentsSession[], fanOut: FanOutWaves) {
  const byLabel = new Map<string, number>();
  const add = (label: string) =>
    byLabel.set(label, (byLabel.get(label) ?? 0) + 1);
  for (const task of tasks)
    add(
      waitingForWave(task, fanOut) !== undefined
        ? 'waiting'
        : statusLabel(task.status),
    );
  // In lifecycle order, held tasks first as they come before queued ones.
  const order = [
    'waiting',
    ...SESSION_STATUSES.map((s: AgentsSessionStatus) => statusLabel(s)),
  ];
  return [...byLabel.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([label, count]) => ({ label, count }));
}

/** A fan-out's tasks by wave, lowest first, each in task order; tasks without a wave last. */
export function groupByWave(
  fanOut: FanOutWaves,
  tasks: AgentsSession[],
): WaveGroup[] {
  const byWave = new Map<number | undefined, AgentsSession[]>();
  for (const task of tasks) {
    const list = byWave.get(task.wave) ?? [];
    list.push(task);
    byWave.set(task.wave, list);
  }
  return [...byWave.entries()]
    .sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity))
    .map(([wave, list]) => {
      const sorted = [...list].sort(byTaskId);
      return {
        wave,
        state: wave === undefined ? undefined : waveState(wave, sorted, fanOut),
        tasks: sorted,
        counts: countsOf(sorted, fanOut),
      };
    });
}

/** `Wave 1 · merged`, `Wave 3 · waiting for wave 2`; `No wave` for tasks without one. */
export function waveTitle(group: Pick<WaveGroup, 'wave' | 'state'>): string {
  if (group.wave === undefined) return 'No wave';
  const state =
    group.state === 'waiting'
      ? waitingForWaveLabel(group.wave - 1)
      : group.state;
  return state ? `Wave ${group.wave} · ${state}` : `Wave ${group.wave}`;
}

/** Which wave of how many a fan-out that runs in waves is at, once its tasks are known. */
export function waveProgress(
  fanOut: Pick<AgentsSession, 'integrationBranch' | 'currentWave'>,
  tasks: Pick<AgentsSession, 'wave'>[] | undefined,
): { current: number; total: number } | undefined {
  if (!runsInWaves(fanOut)) return undefined;
  const total = Math.max(0, ...(tasks ?? []).map(t => t.wave ?? 0));
  if (total === 0) return undefined;
  return { current: Math.min(currentWaveOf(fanOut), total), total };
}
