import type { Knex } from 'knex';
import { sleep } from './waitFor';

/** How one running session came back after a kill of the replica holding the reconciler lease. */
export interface Readoption {
  sessionId: string;
  killedAt: number;
  /** When the run's first new persisted log line (or a status change) was seen, or undefined if never. */
  resumedAt?: number;
}

interface Progress {
  lastSeq: number;
  status: string;
}

async function progressOf(db: Knex, ids: string[]): Promise<Map<string, Progress>> {
  const [sessions, chunks] = await Promise.all([
    db('agents_sessions').whereIn('id', ids).select('id', 'status'),
    db('agents_log_chunks').whereIn('session_id', ids).groupBy('session_id').select('session_id').max({ last: 'last_seq' }),
  ]);
  const last = new Map((chunks as Array<{ session_id: string; last: string }>).map(c => [c.session_id, Number(c.last)]));
  return new Map(sessions.map(s => [s.id as string, { status: s.status as string, lastSeq: last.get(s.id) ?? 0 }]));
}

/**
 * Snapshots the sessions running at a kill and then watches the database (every `intervalMs`) until
 * each has persisted a new log line or changed status: the time to re-adopt its run, as its user
 * sees it, with a resolution of `intervalMs`.
 */
export async function measureReadoption(
  db: Knex,
  killedAt: number,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<Readoption[]> {
  const running: string[] = (await db('agents_sessions').where({ status: 'running' }).select('id')).map(r => r.id);
  if (running.length === 0) return [];
  const before = await progressOf(db, running);
  const results = new Map<string, Readoption>(running.map(id => [id, { sessionId: id, killedAt }]));
  const deadline = Date.now() + options.timeoutMs;
  let waiting = [...running];
  while (waiting.length > 0 && Date.now() < deadline) {
    await sleep(options.intervalMs ?? 250);
    let now: Map<string, Progress>;
    try {
      now = await progressOf(db, waiting);
    } catch {
      continue; // The database may be restarting.
    }
    const at = Date.now();
    waiting = waiting.filter(id => {
      const was = before.get(id)!;
      const is = now.get(id);
      if (is && (is.lastSeq > was.lastSeq || is.status !== was.status)) {
        results.get(id)!.resumedAt = at;
        return false;
      }
      return true;
    });
  }
  return [...results.values()];
}
