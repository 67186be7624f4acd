import {
  isTerminalStatus,
  type AgentsSession,
} from '@backstage-agents/plugin-agents-common';
import type { Connection } from '../client';
import { CliError } from '../errors';

/** A task of a fan-out: its session and the name it is printed with (the spec-kit task id). */
export type FanOutTask = {
  name: string;
  session: AgentsSession;
};

/** The fan-out and every one of its tasks, in wave then task order. */
export async function readFanOut(
  conn: Connection,
  fanOutId: string,
): Promise<{ fanOut: AgentsSession; tasks: FanOutTask[] }> {
  const fanOut = await conn.client.getSession(fanOutId, conn.auth);
  if (fanOut.kind !== 'fanout') {
    throw new CliError(
      `Session ${fanOutId} is not a fan-out; follow it with: backstage-agents logs ${fanOutId} -f`,
    );
  }
  const sessions: AgentsSession[] = [];
  let cursor: string | undefined;
  do {
    const page = await conn.client.listSessions(
      { parentSessionId: fanOutId, limit: 100, ...(cursor ? { cursor } : {}) },
      conn.auth,
    );
    sessions.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  const tasks = sessions
    .map(session => ({
      name: session.origin.taskId ?? session.id.slice(0, 8),
      session,
    }))
    .sort(
      (a, b) =>
        (a.session.wave ?? 0) - (b.session.wave ?? 0) ||
        a.name.localeCompare(b.name),
    );
  return { fanOut, tasks };
}

/** How many tasks are in each state; `waiting` are those of waves the fan-out has not reached. */
export type FanOutCounts = {
  running: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  waiting: number;
};

export function countTasks(
  fanOut: AgentsSession,
  tasks: FanOutTask[],
): FanOutCounts {
  const counts: FanOutCounts = {
    running: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    waiting: 0,
  };
  for (const { session } of tasks) {
    const { status } = session;
    if (status === 'succeeded') counts.succeeded++;
    else if (status === 'failed' || status === 'timed_out') counts.failed++;
    else if (status === 'cancelled') counts.cancelled++;
    else if (
      !isTerminalStatus(status) &&
      (session.wave ?? 0) > (fanOut.currentWave ?? 0)
    ) {
      counts.waiting++;
    } else counts.running++;
  }
  return counts;
}

export function formatCounts(counts: FanOutCounts): string {
  return [
    `${counts.running} running`,
    `${counts.succeeded} succeeded`,
    `${counts.failed} failed`,
    ...(counts.cancelled ? [`${counts.cancelled} cancelled`] : []),
    `${counts.waiting} waiting`,
  ].join(', ');
}

/** The exit code of a finished fan-out: 0 all succeeded, 1 any failed or timed out, else 2. */
export function fanOutExitCode(counts: FanOutCounts): number {
  if (counts.failed > 0) return 1;
  if (counts.cancelled > 0) return 2;
  return 0;
}
