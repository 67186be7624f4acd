import { InputError } from '@backstage/errors';
import type {
  AgentsSessionStatus,
  AgentsSessionWithRuns,
  AgentsUsageStatistics,
  AgentsUsageStatisticsQuery,
  AgentsUsageTotals,
} from '../client/types';
import { normalizeEntityRef } from '../normalizeEntityRef';
import { isTerminalStatus } from '../statusModel';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a time, in UTC. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * `GET /usage` as the backend answers it, over the fake's sessions: agent sessions created in the
 * range (default: the 30 days up to today), filtered by entity, owner and harness; the same 400s for
 * both refs or a range over 366 days.
 */
export function fakeUsageStatistics(
  sessions: AgentsSessionWithRuns[],
  query: AgentsUsageStatisticsQuery,
  now = Date.now(),
): AgentsUsageStatistics {
  if (query.ownerRef && query.entityRef) {
    throw new InputError('give ownerRef or entityRef, not both');
  }
  const to = query.to ?? dayOf(now);
  const from = query.from ?? dayOf(Date.parse(to) - 29 * DAY_MS);
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1)
    throw new InputError(`from (${from}) is after to (${to}); swap them`);
  if (days > 366) {
    throw new InputError(
      `The range ${from} to ${to} covers ${days} days; ask for at most 366 at a time`,
    );
  }
  const entityRef = query.entityRef && normalizeEntityRef(query.entityRef);
  const ownerRef =
    query.ownerRef && normalizeEntityRef(query.ownerRef, 'group', 'ownerRef');
  const counted = sessions.filter(
    s =>
      s.kind === 'agent' &&
      s.createdAt.slice(0, 10) >= from &&
      s.createdAt.slice(0, 10) <= to &&
      (!entityRef || s.entityRef === entityRef) &&
      (!ownerRef || s.entityOwnerRef === ownerRef) &&
      (!query.harness || s.harness === query.harness),
  );

  const byStatus: Record<string, number> = {};
  for (const s of counted) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  const perDay = Array.from({ length: days }, (_, i) => {
    const date = dayOf(Date.parse(from) + i * DAY_MS);
    const on = counted.filter(s => s.createdAt.startsWith(date));
    return {
      date,
      sessions: on.length,
      succeeded: on.filter(s => s.status === 'succeeded').length,
      failed: on.filter(s => s.status === 'failed' || s.status === 'timed_out')
        .length,
    };
  });
  const durations = counted
    .filter(s => isTerminalStatus(s.status) && s.startedAt && s.finishedAt)
    .map(s => Date.parse(s.finishedAt!) - Date.parse(s.startedAt!))
    .sort((a, b) => a - b);
  const rank = (p: number) =>
    durations[Math.max(0, Math.ceil(p * durations.length) - 1)];

  const byEntity = new Map<string, AgentsSessionWithRuns[]>();
  for (const s of counted)
    byEntity.set(s.entityRef, [...(byEntity.get(s.entityRef) ?? []), s]);
  const topEntities = [...byEntity.entries()]
    .sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))
    .slice(0, 10)
    .map(([ref, list]) => ({
      entityRef: ref,
      sessions: list.length,
      ...successRate(list.map(s => s.status)),
      usage: totals(list),
    }));

  return {
    from,
    to,
    total: counted.length,
    byStatus,
    ...successRate(counted.map(s => s.status)),
    perDay,
    ...(durations.length
      ? {
          duration: {
            count: durations.length,
            p50Ms: rank(0.5),
            p90Ms: rank(0.9),
          },
        }
      : {}),
    usage: totals(counted),
    topEntities,
  };
}

function successRate(statuses: AgentsSessionStatus[]): {
  successRate?: number;
} {
  const finished = statuses.filter(isTerminalStatus).length;
  return finished
    ? { successRate: statuses.filter(s => s === 'succeeded').length / finished }
    : {};
}

function totals(sessions: AgentsSessionWithRuns[]): AgentsUsageTotals {
  const runs = sessions
    .flatMap(s => s.runs)
    .flatMap(r => (r.usage ? [r.usage] : []));
  return {
    inputTokens: runs.reduce((sum, u) => sum + u.inputTokens, 0),
    outputTokens: runs.reduce((sum, u) => sum + u.outputTokens, 0),
    costUsd:
      Math.round(runs.reduce((sum, u) => sum + (u.costUsd ?? 0), 0) * 1e6) /
      1e6,
    unpricedRuns: runs.filter(u => u.costUsd === undefined).length,
  };
}
