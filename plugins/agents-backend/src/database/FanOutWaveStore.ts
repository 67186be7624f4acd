import {
  ACTIVE_STATUSES,
  type SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { refreshFanOut } from './fanOutRefresh';
import type { StatusChangeListener } from './sessionChanges';
import type { SessionReader } from './SessionReader';
import type { SessionRow } from './sessionRows';

/** A task of a fan-out in waves, as advancing its waves needs it. */
export interface WaveTask {
  id: string;
  wave: number;
  status: SessionStatus;
  workBranch: string;
  /** The spec-kit task id, when it has one: merges go in task order and messages name it. */
  taskId?: string;
  seq: number;
}

/**
 * The waves of fan-outs: their tasks by wave, and the two moves of a fan-out's wave state, each a
 * compare-and-set on the wave it was decided from, so that replicas deciding at the same moment move
 * it once.
 */
export class FanOutWaveStore {
  constructor(
    private readonly db: Knex,
    private readonly reader: SessionReader,
    private readonly onStatusChanges: StatusChangeListener,
  ) {}

  /** The fan-out's tasks that have a wave, by wave, then in task order (task id, else creation). */
  async tasksOf(fanOutId: string): Promise<WaveTask[]> {
    const rows: Array<Pick<SessionRow, 'id' | 'wave' | 'status' | 'work_branch' | 'origin_ref' | 'seq'>> =
      await this.db<SessionRow>('agents_sessions')
        .where({ parent_session_id: fanOutId })
        .whereNotNull('wave')
        .select('id', 'wave', 'status', 'work_branch', 'origin_ref', 'seq');
    const tasks = rows.map(row => ({
      id: row.id,
      wave: Number(row.wave),
      status: row.status as SessionStatus,
      workBranch: row.work_branch,
      taskId: row.origin_ref ? (JSON.parse(row.origin_ref).taskId as string | undefined) : undefined,
      seq: Number(row.seq),
    }));
    return tasks.sort(
      (a, b) =>
        a.wave - b.wave ||
        (a.taskId && b.taskId ? a.taskId.localeCompare(b.taskId, 'en', { numeric: true }) : 0) ||
        a.seq - b.seq,
    );
  }

  /**
   * Moves the fan-out from wave `from` to `to`, only if it is still at `from`, not stopped, and every
   * task of `from` succeeded (a task added to `from` meanwhile keeps it there). False when another
   * writer moved it first, or when the wave is not complete after all.
   */
  async advance(fanOutId: string, from: number, to: number): Promise<boolean> {
    const changes = await this.db.transaction(async tx => {
      const updated = await tx<SessionRow>('agents_sessions')
        .where({ id: fanOutId, current_wave: from })
        .whereNull('wave_error')
        .whereNotExists(
          tx('agents_sessions as task')
            .select(1)
            .where('task.parent_session_id', fanOutId)
            .where('task.wave', from)
            .whereNot('task.status', 'succeeded'),
        )
        .update({ current_wave: to, updated_at: DateTime.utc().toISO() });
      // Past the last wave, the fan-out has succeeded: its status follows its tasks again.
      return updated === 1 ? refreshFanOut(tx, this.reader, fanOutId) : undefined;
    });
    if (changes?.length) this.onStatusChanges(changes);
    return changes !== undefined;
  }

  /** Stops the fan-out at wave `wave` with `error`: later waves will not start. False when already moved or stopped. */
  async stop(fanOutId: string, wave: number, error: string): Promise<boolean> {
    const updated = await this.db<SessionRow>('agents_sessions')
      .where({ id: fanOutId, current_wave: wave })
      .whereNull('wave_error')
      .update({ wave_error: error, updated_at: DateTime.utc().toISO() });
    return updated === 1;
  }

  /**
   * Fan-outs whose waves need a step that a crash or a missed event may have skipped: the current wave
   * has tasks and all of them have finished (to merge and advance, or to stop), or the fan-out stopped
   * and still holds tasks of later waves (to cancel).
   */
  async fanOutsToCatchUp(limit: number): Promise<string[]> {
    const task = (alias: string) =>
      this.db(`agents_sessions as ${alias}`).select(1).whereRaw(`${alias}.parent_session_id = f.id`);
    const rows: Array<{ id: string }> = await this.db('agents_sessions as f')
      .where('f.kind', 'fanout')
      .whereNotNull('f.integration_branch')
      .where(q =>
        q
          .where(open =>
            open
              .whereNull('f.wave_error')
              .whereExists(task('t').whereRaw('t.wave = f.current_wave'))
              .whereNotExists(
                task('a').whereRaw('a.wave = f.current_wave').whereIn('a.status', ACTIVE_STATUSES),
              ),
          )
          .orWhere(stopped =>
            stopped
              .whereNotNull('f.wave_error')
              .whereExists(task('h').whereRaw('h.wave > f.current_wave').where('h.status', 'pending')),
          ),
      )
      .orderBy('f.seq', 'asc')
      .limit(limit)
      .select('f.id');
    return rows.map(r => r.id);
  }
}
