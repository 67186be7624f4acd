import {
  SESSION_STATUSES,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import type {
  AgentsFanOutChildren,
  AgentsSession,
  AgentsSessionStatus,
} from '../api/types';

/** Where a fan-out stands: how many children it has, how many finished, and the count of each status. */
export type FanOutProgressCounts = {
  total: number;
  finished: number;
  /** Statuses with at least one child, in lifecycle order. */
  counts: { status: AgentsSessionStatus; count: number }[];
};

export function isFanOut(session: Pick<AgentsSession, 'kind'>): boolean {
  return session.kind === 'fanout';
}

/** The counts of a fan-out's `children`, or of a list of its children when the counts are missing. */
export function fanOutProgress(
  children: AgentsFanOutChildren | undefined,
  fallback: Pick<AgentsSession, 'status'>[] = [],
): FanOutProgressCounts {
  let byStatus: Record<string, number>;
  let total: number;
  if (children) {
    byStatus = children.byStatus;
    total = children.total;
  } else {
    byStatus = {};
    for (const child of fallback)
      byStatus[child.status] = (byStatus[child.status] ?? 0) + 1;
    total = fallback.length;
  }
  const counts = SESSION_STATUSES.map(status => ({
    status,
    count: byStatus[status] ?? 0,
  })).filter(c => c.count > 0);
  const finished = counts
    .filter(c => isTerminalStatus(c.status))
    .reduce((sum, c) => sum + c.count, 0);
  return { total, finished, counts };
}

/** `12 tasks`, `1 task`. */
export function taskCount(total: number): string {
  return `${total} task${total === 1 ? '' : 's'}`;
}

/** Orders children by task id (T2 before T10); those without one last, newest first as listed. */
export function byTaskId(a: AgentsSession, b: AgentsSession): number {
  const ta = a.origin.taskId;
  const tb = b.origin.taskId;
  if (ta && tb)
    return ta.localeCompare(tb, 'en', { numeric: true, sensitivity: 'base' });
  if (ta) return -1;
  if (tb) return 1;
  return 0;
}
