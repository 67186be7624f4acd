import type {
  AgentsLogStreamEvent,
  AgentsSessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { Connection } from './client';
import type { CliContext } from './context';
import { formatStatus } from './format';
import type { Output } from './output';

const PROGRESS: Partial<Record<AgentsSessionStatus, string>> = {
  pending: 'queued: waiting for a pod',
  starting: 'starting: the pod is cloning the repository',
  running: 'running',
};

/**
 * Follows a session's log to its end through `followLogs`, which reconnects after the last line
 * received (no gap, no duplicate). Prints the lines when `lines` is set (NDJSON events with
 * `--json`), and the status changes as progress. Resolves with the final status, or undefined when
 * following was stopped (Ctrl-C) before the end.
 */
export async function followSession(
  ctx: CliContext,
  conn: Connection,
  out: Output,
  sessionId: string,
  options: { lines: boolean; after?: number },
): Promise<AgentsSessionStatus | undefined> {
  const events = conn.client.followLogs(sessionId, {
    ...conn.auth,
    after: options.after ?? 0,
    signal: ctx.signal,
    retryDelayMs: ctx.retryDelayMs,
  });
  for await (const event of events) {
    if (options.lines) printEvent(out, event);
    else if (event.type === 'status') reportStatus(out, event.status);
    if (event.type === 'end') return event.status;
  }
  out.progress('Stopped following; the session goes on.');
  return undefined;
}

/** Prints one event of the log stream: the line's text, or the status change as progress. */
export function printEvent(out: Output, event: AgentsLogStreamEvent): void {
  if (out.json) {
    out.value(event);
    return;
  }
  if (event.type === 'log') out.line(event.line.line);
  else if (event.type === 'status') reportStatus(out, event.status);
}

function reportStatus(out: Output, status: AgentsSessionStatus): void {
  out.progress(`… ${PROGRESS[status] ?? formatStatus(out, status)}`);
}
