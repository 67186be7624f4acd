import { InputError } from '@backstage/errors';
import { selectTasks, type ParsedTasks, type SpeckitTask } from './parseTasks';

/**
 * Plans the waves of a fan-out that implements a spec-kit feature, from `parseTasks`' output.
 *
 * The rules, in order:
 *
 * 1. The tasks handed to agents are `selectTasks`' (open `[ASYNC]`, and with `includeParallel` open
 *    `[P]`); a done task is satisfied; any other open task (`[SYNC]`, a human's, or unmarked) is not
 *    handed to agents and is still to do.
 * 2. Phases (the `##` headings the tasks sit under) run in file order: the first phase with tasks to
 *    hand out is wave 1, and every task of a later phase goes in a wave after all waves of earlier
 *    phases.
 * 3. Within a phase, a task that "depends on" another task of it goes one wave after it. A
 *    dependency cycle among open tasks is an `InputError` naming the tasks and their lines, and so
 *    is an open task depending on an open task of a later phase (the phases' order contradicts it).
 * 4. An open task that is not handed to agents blocks the tasks of later phases and the tasks that
 *    depend on it (directly or through a blocked task): they are not started and are listed in
 *    `blocked`, with a reason that names the task to do and its line.
 *
 * Pure and isomorphic.
 */

/** One wave: the tasks that run together once the earlier waves are merged. */
export interface SpeckitWave {
  /** From 1. */
  wave: number;
  /** The phases its tasks belong to (one, as phases never share a wave). */
  phases: string[];
  tasks: SpeckitTask[];
}

/** A task that would be handed to an agent but waits for work that is not an agent's. */
export interface SpeckitBlockedTask {
  task: SpeckitTask;
  /** Why, and what to do, e.g. "waits for T008 [SYNC] (line 31), still open: …". */
  reason: string;
}

export interface SpeckitWavePlan {
  /** The waves, wave 1 first; empty when no task can be handed to an agent now. */
  waves: SpeckitWave[];
  /** Selected tasks that are not started, in file order. */
  blocked: SpeckitBlockedTask[];
  /**
   * For each planned task id: the tasks whose work is in its base branch when it starts, in file
   * order: the tasks of earlier waves, and the done tasks it depends on.
   */
  upstream: Record<string, SpeckitTask[]>;
}

const NO_PHASE = '(before the first phase)';

function phaseOf(task: SpeckitTask): string {
  return task.phase ?? NO_PHASE;
}

function label(task: SpeckitTask): string {
  return `${task.id} (line ${task.line})`;
}

/** Why a task that waits for `blocker`, an open task not handed to agents, does not start. */
function waitsFor(blocker: SpeckitTask): string {
  return blocker.sync
    ? `waits for ${blocker.id} [SYNC] (line ${blocker.line}), still open: do it, check it off, and run implement again`
    : `waits for ${blocker.id} (line ${blocker.line}), open and not marked [ASYNC]: do it and check it off (or mark it [ASYNC]), and run implement again`;
}

/** Throws an `InputError` naming the first dependency cycle among open tasks. */
function checkCycles(open: Map<string, SpeckitTask>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: SpeckitTask[] = [];
  const visit = (task: SpeckitTask) => {
    state.set(task.id, 'visiting');
    path.push(task);
    for (const id of task.dependsOn) {
      const dep = open.get(id);
      if (!dep) continue;
      if (state.get(id) === 'visiting') {
        const cycle = [...path.slice(path.indexOf(dep)), dep];
        throw new InputError(
          `tasks.md has a dependency cycle: ${cycle
            .map(label)
            .join(' depends on ')}; remove one of these "depends on"`,
        );
      }
      if (!state.has(id)) visit(dep);
    }
    path.pop();
    state.set(task.id, 'done');
  };
  for (const task of open.values()) if (!state.has(task.id)) visit(task);
}

/** Plans the waves of the selected tasks; see the rules above. */
export function planWaves(
  parsed: Pick<ParsedTasks, 'tasks'>,
  options: { includeParallel: boolean },
): SpeckitWavePlan {
  const { tasks } = parsed;
  const byId = new Map(tasks.map(t => [t.id, t]));
  const open = new Map(tasks.filter(t => !t.done).map(t => [t.id, t]));
  checkCycles(open);

  const selected = new Set(selectTasks(tasks, options).map(t => t.id));
  const phaseOrder: string[] = [];
  for (const task of tasks) {
    if (!phaseOrder.includes(phaseOf(task))) phaseOrder.push(phaseOf(task));
  }
  const phaseIndex = (task: SpeckitTask) => phaseOrder.indexOf(phaseOf(task));
  for (const task of open.values()) {
    for (const id of task.dependsOn) {
      const dep = open.get(id);
      if (dep && phaseIndex(dep) > phaseIndex(task)) {
        throw new InputError(
          `${label(task)} depends on ${label(
            dep,
          )}, which is in a later phase (${phaseOf(
            dep,
          )}); phases run in file order: move one of them or drop the "depends on"`,
        );
      }
    }
  }

  const waves: SpeckitWave[] = [];
  const blockedBy = new Map<string, SpeckitTask>();
  const waveOf = new Map<string, number>();
  // The open task not handed to agents that holds back every later phase, once there is one.
  let phaseBlocker: SpeckitTask | undefined;

  for (const phase of phaseOrder) {
    const inPhase = tasks.filter(t => phaseOf(t) === phase && !t.done);
    const start = waves.length + 1;
    const heldBackBy = phaseBlocker;
    // The blocker of each open task of the phase, or its wave; memoized, deps first.
    const resolve = (task: SpeckitTask): void => {
      if (blockedBy.has(task.id) || waveOf.has(task.id)) return;
      if (heldBackBy) {
        blockedBy.set(task.id, heldBackBy);
        return;
      }
      if (!selected.has(task.id)) {
        blockedBy.set(task.id, task);
        return;
      }
      let wave = start;
      for (const id of task.dependsOn) {
        const dep = byId.get(id);
        if (!dep || dep.done) continue;
        if (phaseOf(dep) === phase) resolve(dep);
        const blocker = blockedBy.get(dep.id);
        if (blocker) {
          blockedBy.set(task.id, blocker);
          return;
        }
        if (phaseOf(dep) === phase)
          wave = Math.max(wave, waveOf.get(dep.id)! + 1);
      }
      waveOf.set(task.id, wave);
    };
    inPhase.forEach(resolve);
    for (const task of inPhase) {
      const wave = waveOf.get(task.id);
      if (wave === undefined) continue;
      while (waves.length < wave) {
        waves.push({ wave: waves.length + 1, phases: [phase], tasks: [] });
      }
      waves[wave - 1].tasks.push(task);
    }
    phaseBlocker ??= inPhase.map(t => blockedBy.get(t.id)).find(Boolean);
  }

  const upstream: Record<string, SpeckitTask[]> = {};
  for (const wave of waves) {
    const earlier = waves.slice(0, wave.wave - 1).flatMap(w => w.tasks);
    for (const task of wave.tasks) {
      const doneDeps = task.dependsOn
        .map(id => byId.get(id))
        .filter((t): t is SpeckitTask => Boolean(t?.done));
      upstream[task.id] = [...doneDeps, ...earlier].sort(
        (a, b) => a.line - b.line,
      );
    }
  }

  const blocked = tasks
    .filter(t => selected.has(t.id) && blockedBy.has(t.id))
    .map(task => ({ task, reason: waitsFor(blockedBy.get(task.id)!) }));
  return { waves, blocked, upstream };
}
