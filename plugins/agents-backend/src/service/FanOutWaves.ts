import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { isTerminalStatus, type Session } from '@backstage-agents/plugin-agents-common';
import type { FanOutWaveStore, WaveTask } from '../database/FanOutWaveStore';
import { sessionChangeOf } from '../database/sessionChanges';
import type { SessionStore } from '../database/SessionStore';
import type { TransitionStore } from '../database/TransitionStore';
import type { SessionEventHub } from '../events/SessionEventHub';
import type { IntegrationBranches } from '../github/IntegrationBranches';
import type { PullRequestService } from '../github/PullRequestService';
import type { SessionLogs } from '../logs/SessionLogs';
import type { SessionRuntime } from '../runtime/AgentsRuntime';
import { KeyedWorkQueue } from '../runtime/KeyedWorkQueue';

/** A safety bound on the waves one step may walk through (empty or already finished waves). */
const MAX_WAVES_PER_STEP = 1000;

/**
 * Moves fan-outs that run in waves on (docs/fanout-waves.md): when every task of the current wave has
 * finished, either merges their work branches into the integration branch, in task order, advances
 * the wave and launches the tasks it releases, or stops the fan-out with a `waveError` and cancels the
 * tasks of later waves. One step per fan-out at a time in this process; across replicas the store's
 * compare-and-set moves a wave once, and merges that ran twice find nothing left to merge.
 */
export class FanOutWaves {
  private readonly queue: KeyedWorkQueue<true>;

  constructor(
    private readonly deps: {
      sessions: Pick<SessionStore, 'getSessionFields' | 'getSession'>;
      waves: FanOutWaveStore;
      transitions: Pick<TransitionStore, 'transition'>;
      branches: Pick<IntegrationBranches, 'merge'>;
      /** Opens each task's pull request before its branch is merged; GitHub opens none for a merged branch. */
      pullRequests?: Pick<PullRequestService, 'sync'>;
      hub: SessionEventHub;
      logs?: SessionLogs;
      /** Absent when no cluster is configured: released tasks wait for one. */
      runtime?: SessionRuntime;
      logger: LoggerService;
    },
  ) {
    this.queue = new KeyedWorkQueue<true>({
      work: fanOutId => this.step(fanOutId),
      onError: (fanOutId, error) => deps.logger.warn(`Advancing the waves of fan-out ${fanOutId} failed: ${error}`),
    });
  }

  /** Checks a task's fan-out whenever a task finishes. */
  subscribe(): void {
    this.deps.hub.on('status', ({ session }) => {
      if (session.parentSessionId && isTerminalStatus(session.status)) void this.check(session.parentSessionId);
    });
  }

  /** Takes the fan-out's next step if it has one; settles when done (never throws). */
  check(fanOutId: string): Promise<void> {
    return this.queue.add(fanOutId, true);
  }

  /** Steps fan-outs a crash or a missed event left behind: a finished wave not advanced, held tasks not cancelled. */
  async catchUp(): Promise<void> {
    for (const id of await this.deps.waves.fanOutsToCatchUp(50)) await this.check(id);
  }

  private async step(fanOutId: string): Promise<void> {
    for (let i = 0; i < MAX_WAVES_PER_STEP && (await this.stepOnce(fanOutId)); i++);
  }

  /** One move of the fan-out; true when it moved and the next wave may be complete already. */
  private async stepOnce(fanOutId: string): Promise<boolean> {
    const { sessions, waves } = this.deps;
    const fanOut = await sessions.getSessionFields(fanOutId);
    if (!fanOut?.integrationBranch || fanOut.currentWave === undefined) return false;
    const tasks = await waves.tasksOf(fanOutId);
    const n = fanOut.currentWave;
    if (fanOut.waveError) {
      await this.cancelHeld(fanOut, tasks, fanOut.waveError);
      return false;
    }
    const wave = tasks.filter(t => t.wave === n);
    if (wave.length === 0 || wave.some(t => !isTerminalStatus(t.status))) return false;
    const later = tasks.filter(t => t.wave > n);

    const unsuccessful = wave.filter(t => t.status !== 'succeeded');
    if (unsuccessful.length > 0) {
      const what = unsuccessful.map(t => `${label(t)} ${t.status.replace('_', ' ')}`).join(', ');
      return this.stop(fanOut, n, `Wave ${n} ended with ${what}${notStarted(later)}`);
    }

    // The pull-request sync each finished task started; it never throws, and runs once per task at a time.
    await Promise.all(wave.map(task => this.deps.pullRequests?.sync(task.id)));
    for (const task of wave) {
      const merge = await this.deps.branches.merge(fanOut.repoUrl, {
        base: fanOut.integrationBranch,
        head: task.workBranch,
        message: `Merge ${task.workBranch} into ${fanOut.integrationBranch} (${label(task)}, wave ${n})`,
      });
      if (merge.outcome === 'refused') {
        const error =
          merge.reason === 'conflict'
            ? `Merging ${label(task)} (${task.workBranch}) into ${fanOut.integrationBranch} in wave ${n} conflicts with the work merged before it${notStarted(later)}. Merge ${task.workBranch} into ${fanOut.integrationBranch} by hand, resolving the conflict, then start the remaining tasks in a new fan-out on ${fanOut.integrationBranch}`
            : `Merging ${label(task)} (${task.workBranch}) into ${fanOut.integrationBranch} in wave ${n} failed: ${merge.message}${notStarted(later)}. Check that both branches exist (was one deleted?), then start the remaining tasks in a new fan-out`;
        await this.note(task, error);
        return this.stop(fanOut, n, error);
      }
      if (merge.outcome === 'merged') {
        await this.note(task, `Merged ${task.workBranch} into ${fanOut.integrationBranch} (wave ${n})`);
      }
    }

    // The next wave that has tasks; past the last one, a wave with none (every wave is merged).
    const next = later.length > 0 ? Math.min(...later.map(t => t.wave)) : n + 1;
    if (!(await waves.advance(fanOutId, n, next))) return false;
    this.deps.logger.info(`Fan-out ${fanOutId} merged wave ${n} into ${fanOut.integrationBranch} and moved to wave ${next}`);
    this.deps.hub.publish({ type: 'updated', session: sessionChangeOf(fanOut) });
    if (later.length > 0) await this.deps.runtime?.launchQueued();
    return true;
  }

  /** Records why later waves will not start (once, across replicas); the next step cancels them. */
  private async stop(fanOut: Session, wave: number, error: string): Promise<boolean> {
    if (!(await this.deps.waves.stop(fanOut.id, wave, error))) return false;
    this.deps.logger.info(`Fan-out ${fanOut.id} stopped at wave ${wave}: ${error}`);
    this.deps.hub.publish({ type: 'updated', session: sessionChangeOf(fanOut) });
    return true;
  }

  /** Cancels the tasks still held for later waves; the fan-out's status then follows from its tasks. */
  private async cancelHeld(fanOut: Session, tasks: WaveTask[], reason: string): Promise<void> {
    const held = tasks.filter(t => t.wave > fanOut.currentWave! && t.status === 'pending');
    for (const task of held) {
      try {
        const { session } = await this.deps.transitions.transition(task.id, 'cancelled', { run: { reason } });
        await this.deps.runtime?.sessionCancelled(session);
      } catch (error) {
        // Cancelled or changed by someone else meanwhile: nothing left to do for it.
        if (!(error instanceof ConflictError)) throw error;
      }
    }
  }

  /** A line in the task's log, where its user looks; a log that cannot be written loses only the note. */
  private async note(task: WaveTask, line: string): Promise<void> {
    const { logs, sessions, logger } = this.deps;
    if (!logs) return;
    try {
      const session = await sessions.getSession(task.id);
      const run = session?.runs[session.runs.length - 1];
      if (run) await logs.append(task.id, run.id, [{ timestamp: new Date().toISOString(), line }]);
    } catch (error) {
      logger.warn(`Writing to the log of session ${task.id} failed: ${error}`);
    }
  }
}

/** A task as messages name it: its spec-kit task id, else its session. */
function label(task: WaveTask): string {
  return task.taskId ?? `session ${task.id}`;
}

/** ": waves 2–3 (T007, T008, T009) were not started", or nothing without later tasks. */
function notStarted(later: WaveTask[]): string {
  if (later.length === 0) return '';
  const first = later[0].wave;
  const last = later[later.length - 1].wave;
  const waves = first === last ? `wave ${first}` : `waves ${first}–${last}`;
  return `: ${waves} (${later.map(label).join(', ')}) ${later.length === 1 ? 'was' : 'were'} not started`;
}
