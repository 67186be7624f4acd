import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  TERMINAL_STATUSES,
  type HarnessName,
  type SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { AgentsSessionFilter } from '@backstage-agents/plugin-agents-node';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { isSqlite } from './databaseClients';
import { applyPermissionFilter } from './permissionFilter';

/** Which sessions count: agent sessions created on the days `from`..`to` (UTC, inclusive). */
export interface UsageQuery {
  /** `YYYY-MM-DD`. */
  from: string;
  /** `YYYY-MM-DD`, inclusive. */
  to: string;
  entityRef?: string;
  ownerRef?: string;
  harness?: HarnessName;
  /** A conditional read decision, translated to SQL as for the session list. */
  permissionFilter?: PermissionCriteria<AgentsSessionFilter>;
}

/** Tokens summed over runs; the cost of the priced ones, and how many reported tokens without a price. */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  unpricedRuns: number;
}

export interface UsageStatistics {
  from: string;
  to: string;
  total: number;
  byStatus: Partial<Record<SessionStatus, number>>;
  successRate?: number;
  perDay: Array<{
    date: string;
    sessions: number;
    succeeded: number;
    failed: number;
  }>;
  duration?: { count: number; p50Ms: number; p90Ms: number };
  usage: UsageTotals;
  topEntities: Array<{
    entityRef: string;
    sessions: number;
    successRate?: number;
    usage: UsageTotals;
  }>;
}

/** How many entities `topEntities` lists. */
export const TOP_ENTITIES = 10;

const FINISHED: readonly string[] = TERMINAL_STATUSES;

/** PostgreSQL answers sums and counts as strings. */
type Numeric = number | string | null;

interface UsageSums {
  input_tokens: Numeric;
  output_tokens: Numeric;
  cost_usd: Numeric;
  unpriced: Numeric;
}

/**
 * Statistics over sessions, computed in the database: counts are grouped in SQL, and the duration
 * percentiles are read as single rows at their rank of the sorted durations, so no query returns more
 * than a row per day and status, whatever the number of sessions.
 */
export class UsageStore {
  constructor(private readonly db: Knex) {}

  async statistics(query: UsageQuery): Promise<UsageStatistics> {
    const [counts, duration, usage, topEntities] = await Promise.all([
      this.countsByDay(query),
      this.duration(query),
      this.usageSums(query),
      this.topEntities(query),
    ]);
    const byStatus: UsageStatistics['byStatus'] = {};
    const days = new Map<string, UsageStatistics['perDay'][number]>();
    for (const row of counts) {
      const n = Number(row.n);
      byStatus[row.status] = (byStatus[row.status] ?? 0) + n;
      const day = days.get(row.day) ?? {
        date: row.day,
        sessions: 0,
        succeeded: 0,
        failed: 0,
      };
      day.sessions += n;
      if (row.status === 'succeeded') day.succeeded += n;
      if (row.status === 'failed' || row.status === 'timed_out')
        day.failed += n;
      days.set(row.day, day);
    }
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const finished = FINISHED.reduce(
      (sum, s) => sum + (byStatus[s as SessionStatus] ?? 0),
      0,
    );
    return {
      from: query.from,
      to: query.to,
      total,
      byStatus,
      ...rate(byStatus.succeeded ?? 0, finished),
      perDay: everyDay(query.from, query.to).map(
        date =>
          days.get(date) ?? { date, sessions: 0, succeeded: 0, failed: 0 },
      ),
      ...(duration ? { duration } : {}),
      usage,
      topEntities,
    };
  }

  /** The agent sessions that count, as a query on `agents_sessions` (alias `s`). */
  private sessions(query: UsageQuery): Knex.QueryBuilder {
    const q = this.db('agents_sessions as s')
      .where('s.kind', 'agent')
      // ISO timestamps in UTC compare as strings; the day after `to` bounds the last day.
      .where('s.created_at', '>=', query.from)
      .where('s.created_at', '<', nextDay(query.to));
    if (query.entityRef) q.where('s.entity_ref', query.entityRef);
    if (query.ownerRef) q.where('s.entity_owner_ref', query.ownerRef);
    if (query.harness) q.where('s.harness', query.harness);
    if (query.permissionFilter) {
      // A nested query, so that the filter's unqualified columns name the sessions' own.
      const filter = query.permissionFilter;
      q.whereIn('s.id', sub => {
        sub.from('agents_sessions').select('id');
        applyPermissionFilter(sub, filter);
      });
    }
    return q;
  }

  private async countsByDay(query: UsageQuery) {
    return (await this.sessions(query)
      .groupByRaw('substr(s.created_at, 1, 10), s.status')
      .select(this.db.raw('substr(s.created_at, 1, 10) as day'), {
        status: 's.status',
      })
      .count({ n: '*' })) as Array<{
      day: string;
      status: SessionStatus;
      n: Numeric;
    }>;
  }

  /** Nearest-rank p50 and p90 of the finished sessions' run time, each read as one sorted row. */
  private async duration(
    query: UsageQuery,
  ): Promise<UsageStatistics['duration']> {
    const ms = isSqlite(this.db)
      ? 'round((julianday(s.finished_at) - julianday(s.started_at)) * 86400000)'
      : 'round(extract(epoch from (cast(s.finished_at as timestamptz) - cast(s.started_at as timestamptz))) * 1000)';
    const finished = () =>
      this.sessions(query)
        .whereIn('s.status', FINISHED)
        .whereNotNull('s.started_at')
        .whereNotNull('s.finished_at');
    const [{ n }] = await finished().count({ n: '*' });
    const count = Number(n);
    if (count === 0) return undefined;
    const at = async (p: number) => {
      const row = await finished()
        .select(this.db.raw(`${ms} as ms`))
        .orderByRaw(ms)
        .offset(Math.max(0, Math.ceil(p * count) - 1))
        .first();
      return Math.max(0, Number(row.ms));
    };
    const [p50Ms, p90Ms] = await Promise.all([at(0.5), at(0.9)]);
    return { count, p50Ms, p90Ms };
  }

  private async usageSums(query: UsageQuery): Promise<UsageTotals> {
    const [row] = (await this.db('agents_runs as r')
      .whereIn('r.session_id', this.sessions(query).select('s.id'))
      .whereNotNull('r.input_tokens')
      .select(...this.sums())) as UsageSums[];
    return totals(row);
  }

  private async topEntities(
    query: UsageQuery,
  ): Promise<UsageStatistics['topEntities']> {
    const rows = (await this.sessions(query)
      .groupBy('s.entity_ref')
      .select({ entity_ref: 's.entity_ref' })
      .count({ n: '*' })
      .select(
        this.db.raw(
          `sum(case when s.status = 'succeeded' then 1 else 0 end) as succeeded`,
        ),
        this.db.raw(
          `sum(case when s.status in (${FINISHED.map(() => '?').join(
            ', ',
          )}) then 1 else 0 end) as finished`,
          [...FINISHED],
        ),
      )
      .orderBy([
        { column: 'n', order: 'desc' },
        { column: 'entity_ref', order: 'asc' },
      ])
      .limit(TOP_ENTITIES)) as Array<{
      entity_ref: string;
      n: Numeric;
      succeeded: Numeric;
      finished: Numeric;
    }>;
    if (rows.length === 0) return [];
    const sums = (await this.db('agents_runs as r')
      .join('agents_sessions as e', 'e.id', 'r.session_id')
      .whereIn('r.session_id', this.sessions(query).select('s.id'))
      .whereIn(
        'e.entity_ref',
        rows.map(r => r.entity_ref),
      )
      .whereNotNull('r.input_tokens')
      .groupBy('e.entity_ref')
      .select({ entity_ref: 'e.entity_ref' }, ...this.sums())) as Array<
      UsageSums & { entity_ref: string }
    >;
    const usage = new Map(sums.map(s => [s.entity_ref, totals(s)]));
    return rows.map(row => ({
      entityRef: row.entity_ref,
      sessions: Number(row.n),
      ...rate(Number(row.succeeded), Number(row.finished)),
      usage: usage.get(row.entity_ref) ?? totals(undefined),
    }));
  }

  private sums() {
    return [
      this.db.raw('sum(r.input_tokens) as input_tokens'),
      this.db.raw('sum(r.output_tokens) as output_tokens'),
      this.db.raw('sum(r.cost_usd) as cost_usd'),
      this.db.raw(
        'sum(case when r.cost_usd is null then 1 else 0 end) as unpriced',
      ),
    ];
  }
}

function totals(row: UsageSums | undefined): UsageTotals {
  return {
    inputTokens: Number(row?.input_tokens ?? 0),
    outputTokens: Number(row?.output_tokens ?? 0),
    // Six decimals, as stored: sums of decimals come back as floats from SQLite.
    costUsd: Math.round(Number(row?.cost_usd ?? 0) * 1e6) / 1e6,
    unpricedRuns: Number(row?.unpriced ?? 0),
  };
}

function rate(succeeded: number, finished: number): { successRate?: number } {
  return finished > 0 ? { successRate: succeeded / finished } : {};
}

function nextDay(date: string): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days: 1 }).toISODate()!;
}

/** Every day from `from` to `to`, inclusive, as `YYYY-MM-DD`. */
function everyDay(from: string, to: string): string[] {
  const days: string[] = [];
  for (
    let day = DateTime.fromISO(from, { zone: 'utc' });
    day.toISODate()! <= to;
    day = day.plus({ days: 1 })
  ) {
    days.push(day.toISODate()!);
  }
  return days;
}
