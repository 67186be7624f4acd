import { fanOutStatus, isTerminalStatus, type SessionStatus } from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { isSqlite } from './databaseClients';
import { type SessionStatusChange, statusChange } from './sessionChanges';
import type { SessionReader } from './SessionReader';
import type { SessionRow } from './sessionRows';

/** Whether the fan-out runs in waves and has tasks in its current wave or later: one not merged yet. */
async function awaitsMerge(tx: Knex.Transaction, parent: SessionRow): Promise<boolean> {
  if (!parent.integration_branch || parent.current_wave === null || parent.wave_error) return false;
  const unmerged = await tx<SessionRow>('agents_sessions')
    .where({ parent_session_id: parent.id })
    .where('wave', '>=', parent.current_wave)
    .first('id');
  return unmerged !== undefined;
}

/**
 * Derives a fan-out's status from its tasks, inside the transaction that changed one of them. The
 * fan-out's row is locked first (on PostgreSQL), so tasks finishing at the same moment in other
 * transactions are counted after one another and the last one sees them all. Returns the fan-out's
 * change, or nothing when its status stays. A fan-out in waves stays running until its last wave
 * is merged ({@link FanOutWaveStore.advance} refreshes it then).
 */
export async function refreshFanOut(
  tx: Knex.Transaction,
  reader: SessionReader,
  /** The fan-out's id, or its row as {@link lockFanOut} read it earlier in this transaction. */
  fanOut: string | SessionRow | undefined,
  /** What happened to the task, when it is one whose effect is known without counting the tasks. */
  taskChange?: TaskChange,
): Promise<SessionStatusChange[]> {
  const parent = typeof fanOut === 'string' ? await lockFanOut(tx, fanOut) : fanOut;
  if (!parent || parent.kind !== 'fanout') return [];
  if (taskChange && keepsStatus(parent.status as SessionStatus, taskChange)) return [];
  const children = (await reader.childrenOf([parent], tx)).get(parent.id)!;
  let status = fanOutStatus(children.byStatus);
  // A fan-out in waves has succeeded once its last wave is merged, not when its last task ends.
  if (status === 'succeeded' && (await awaitsMerge(tx, parent))) status = 'running';
  if (status === parent.status) return [];
  const timestamp = DateTime.utc().toISO();
  await tx<SessionRow>('agents_sessions')
    .where({ id: parent.id })
    .update({
      status,
      updated_at: timestamp,
      ...(status !== 'pending' && !parent.started_at ? { started_at: timestamp } : {}),
      finished_at: isTerminalStatus(status) ? timestamp : null,
    });
  return [statusChange(parent, status)];
}

/**
 * Reads a fan-out's row and locks it for the rest of the transaction (on PostgreSQL; SQLite
 * serializes writers and has no row locks, and knex warns on `forUpdate` there).
 */
export async function lockFanOut(tx: Knex.Transaction, id: string): Promise<SessionRow | undefined> {
  const lock = tx<SessionRow>('agents_sessions').where({ id });
  if (!isSqlite(tx)) lock.forUpdate();
  return lock.first();
}

/** A task change whose effect on its fan-out's status follows from that status alone. */
export type TaskChange = 'added' | 'started';

/**
 * Whether the fan-out's status ({@link fanOutStatus} of its tasks) stays as it is: a pending task added
 * to a pending or running fan-out leaves it so, and a task that starts leaves a running fan-out
 * running. The fan-out's row is locked first either way. A 200-task fan-out launched at once
 * otherwise counts its tasks 400 times, each under the lock that every task of it waits for.
 */
function keepsStatus(status: SessionStatus, change: TaskChange): boolean {
  return change === 'added' ? status === 'pending' || status === 'running' : status === 'running';
}
