import type { LogLine } from '@backstage-agents/plugin-agents-common';
import type { SessionStore } from '../database/SessionStore';
import type { LogHub } from './LogHub';

/** A session's log: persisted in chunks, then announced to live viewers. */
export class SessionLogs {
  constructor(
    private readonly store: SessionStore,
    private readonly hub: LogHub,
  ) {}

  async append(
    sessionId: string,
    runId: string,
    lines: Array<{ timestamp: string; line: string }>,
  ): Promise<LogLine[]> {
    const persisted = await this.store.appendLogLines(sessionId, runId, lines);
    if (persisted.length) this.hub.publish(sessionId, { type: 'lines', lines: persisted });
    return persisted;
  }
}
