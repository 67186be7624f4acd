import type {
  FanOutChildren,
  SessionStatus,
  SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import {
  type BundleRow,
  type RunRow,
  type SessionRow,
  runFromRow,
  sessionFromRow,
} from './sessionRows';

/**
 * Turns session rows into sessions as the API shows them: with their runs, their bundle and, for a
 * fan-out, its tasks counted by status. One query per part for a whole list, never one per row.
 */
export class SessionReader {
  constructor(private readonly db: Knex) {}

  async get(id: string): Promise<SessionWithRuns | undefined> {
    const row = await this.db<SessionRow>('agents_sessions').where({ id }).first();
    return row ? (await this.withRunsOf([row]))[0] : undefined;
  }

  /** Sessions with their runs, bundles and fan-out counts. */
  async withRunsOf(rows: SessionRow[]): Promise<SessionWithRuns[]> {
    if (rows.length === 0) return [];
    const runRows: RunRow[] = await this.db<RunRow>('agents_runs')
      .whereIn('session_id', rows.map(r => r.id))
      .orderBy('attempt', 'asc');
    const runs = new Map<string, RunRow[]>();
    for (const run of runRows) {
      const list = runs.get(run.session_id) ?? [];
      list.push(run);
      runs.set(run.session_id, list);
    }
    return (await this.withoutRunsOf(rows)).map((session, i) => ({
      ...session,
      runs: (runs.get(rows[i].id) ?? []).map(runFromRow),
    }));
  }

  /** Sessions with their bundles and fan-out counts, without runs: for lists. */
  async withoutRunsOf(rows: SessionRow[]) {
    const bundles = await this.bundlesFor(rows);
    const children = await this.childrenOf(rows);
    return rows.map(row => ({
      ...sessionFromRow(row, row.bundle_id ? bundles.get(row.bundle_id) : undefined),
      ...(children.has(row.id) ? { children: children.get(row.id) } : {}),
    }));
  }

  /** The tasks of the fan-out sessions among `rows`, by status; `db` may be a transaction. */
  async childrenOf(rows: SessionRow[], db: Knex = this.db): Promise<Map<string, FanOutChildren>> {
    const ids = rows.filter(r => r.kind === 'fanout').map(r => r.id);
    const result = new Map<string, FanOutChildren>(
      ids.map(id => [id, { total: 0, byStatus: {} }]),
    );
    if (ids.length === 0) return result;
    const counts: Array<{ parent_session_id: string; status: SessionStatus; n: number | string }> =
      await db('agents_sessions')
        .whereIn('parent_session_id', ids)
        .groupBy('parent_session_id', 'status')
        .select('parent_session_id', 'status')
        .count({ n: '*' });
    for (const { parent_session_id, status, n } of counts) {
      const children = result.get(parent_session_id)!;
      children.byStatus[status] = Number(n);
      children.total += Number(n);
    }
    return result;
  }

  private async bundlesFor(rows: SessionRow[]): Promise<Map<string, BundleRow>> {
    const ids = rows.map(r => r.bundle_id).filter((b): b is string => !!b);
    if (ids.length === 0) return new Map();
    const bundles: BundleRow[] = await this.db('agents_bundles')
      .whereIn('id', ids)
      .where({ state: 'complete' })
      .select('id', 'session_id', 'run_id', 'digest', 'size_bytes', 'storage', 'location', 'created_at');
    return new Map(bundles.map(b => [b.id, b]));
  }
}
