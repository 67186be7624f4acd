import type {
  FanOutChildren,
  SessionStatus,
  SessionWithRuns,
  Usage,
} from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { isPostgres } from './databaseClients';
import {
  type BundleRow,
  type RunRow,
  type SessionRow,
  runFromRow,
  sessionFromRow,
  usageFromColumns,
} from './sessionRows';

/** One session's usage summed over runs; PostgreSQL returns sums and counts as strings. */
interface UsageSums {
  session_id: string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | string | null;
  reported: number | string;
  priced: number | string;
}

/**
 * Turns session rows into sessions as the API shows them: with their runs, their bundle, their
 * token usage and, for a fan-out, its tasks counted by status. One query per part for a whole list,
 * never one per row.
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

  /**
   * Sessions with their bundles, usage and fan-out counts, without runs: for lists. `usageSummed`:
   * the rows carry their usage in the columns of {@link SessionReader.selectWithUsage}.
   */
  async withoutRunsOf(rows: SessionRow[], options: { usageSummed?: boolean } = {}) {
    const bundles = await this.bundlesFor(rows);
    const children = await this.childrenOf(rows);
    const usage = options.usageSummed ? usageInColumns(rows) : await this.usageOf(rows);
    return rows.map(row => ({
      ...sessionFromRow(row, row.bundle_id ? bundles.get(row.bundle_id) : undefined),
      ...(children.has(row.id) ? { children: children.get(row.id) } : {}),
      ...(usage.has(row.id) ? { usage: usage.get(row.id) } : {}),
    }));
  }

  /**
   * Selects every column of `agents_sessions` with the session's usage beside it, in the query that
   * lists it: an agent session's summed over its runs, a fan-out's over its tasks' runs. A page of a
   * listing is then one query instead of two, which counts where listings are read page after page
   * (the search collator reads every session). On PostgreSQL the three sums come from one lateral
   * subquery, one probe of the runs' session index per listed session; elsewhere from one scalar
   * subquery per sum. The cost is given only when every run that reported usage had one.
   */
  selectWithUsage(query: Knex.QueryBuilder): Knex.QueryBuilder {
    const sums = `sum(r.input_tokens) as usage_input_tokens, sum(r.output_tokens) as usage_output_tokens,
      case when count(r.cost_usd) = count(*) then sum(r.cost_usd) end as usage_cost_usd`;
    if (isPostgres(this.db)) {
      // Each branch is gated on the session's kind, so only one of them reads anything.
      return query.select('agents_sessions.*', 'usage.*').joinRaw(
        `left join lateral (
          select ${sums} from (
            select r.input_tokens, r.output_tokens, r.cost_usd from agents_runs as r
              where agents_sessions.kind <> 'fanout' and r.session_id = agents_sessions.id and r.input_tokens is not null
            union all
            select r.input_tokens, r.output_tokens, r.cost_usd from agents_runs as r
              join agents_sessions as task on task.id = r.session_id
              where agents_sessions.kind = 'fanout' and task.parent_session_id = agents_sessions.id and r.input_tokens is not null
          ) as r
        ) as usage on true`,
      );
    }
    const column = (expression: string, name: string) =>
      this.db.raw(
        `(case when agents_sessions.kind = 'fanout'
            then (select ${expression} from agents_runs as r join agents_sessions as task on task.id = r.session_id
                  where task.parent_session_id = agents_sessions.id and r.input_tokens is not null)
            else (select ${expression} from agents_runs as r
                  where r.session_id = agents_sessions.id and r.input_tokens is not null)
          end) as ${name}`,
      );
    return query.select(
      'agents_sessions.*',
      column('sum(r.input_tokens)', 'usage_input_tokens'),
      column('sum(r.output_tokens)', 'usage_output_tokens'),
      column('case when count(r.cost_usd) = count(*) then sum(r.cost_usd) end', 'usage_cost_usd'),
    );
  }

  /**
   * The token usage of the sessions among `rows` whose runs reported some, summed in one query: an
   * agent session's over its runs, a fan-out's over its tasks' runs. The cost is the sum of the
   * runs' costs, given only when every run that reported usage had one: a partial sum would read as
   * a total.
   */
  async usageOf(rows: SessionRow[]): Promise<Map<string, Usage>> {
    const result = new Map<string, Usage>();
    if (rows.length === 0) return result;
    const sums = [
      this.db.raw('sum(r.input_tokens) as input_tokens'),
      this.db.raw('sum(r.output_tokens) as output_tokens'),
      this.db.raw('sum(r.cost_usd) as cost_usd'),
      this.db.raw('count(*) as reported'),
      this.db.raw('count(r.cost_usd) as priced'),
    ];
    const fanOuts = rows.filter(r => r.kind === 'fanout').map(r => r.id);
    const agentSums = this.db('agents_runs as r')
      .whereIn('r.session_id', rows.filter(r => r.kind !== 'fanout').map(r => r.id))
      .whereNotNull('r.input_tokens')
      .groupBy('r.session_id')
      .select('r.session_id as session_id', ...sums);
    // A derived table, so that knex writes the union after this part's GROUP BY, not before it.
    const query = this.db.select('*').from(agentSums.as('agent_sums'));
    if (fanOuts.length > 0) {
      // Each key is in one part only: a fan-out has no runs of its own.
      query.unionAll(
        this.db('agents_runs as r')
          .join('agents_sessions as s', 's.id', 'r.session_id')
          .whereIn('s.parent_session_id', fanOuts)
          .whereNotNull('r.input_tokens')
          .groupBy('s.parent_session_id')
          .select('s.parent_session_id as session_id', ...sums),
      );
    }
    for (const row of (await query) as UsageSums[]) {
      const complete = Number(row.priced) === Number(row.reported);
      const usage = usageFromColumns(row.input_tokens, row.output_tokens, complete ? row.cost_usd : null);
      if (usage) result.set(row.session_id, usage);
    }
    return result;
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

/** The usage of sessions read with {@link SessionReader.selectWithUsage}, by session id. */
function usageInColumns(rows: SessionRow[]): Map<string, Usage> {
  const result = new Map<string, Usage>();
  for (const row of rows) {
    const usage = usageFromColumns(row.usage_input_tokens, row.usage_output_tokens, row.usage_cost_usd);
    if (usage) result.set(row.id, usage);
  }
  return result;
}
