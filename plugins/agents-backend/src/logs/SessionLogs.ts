import type { LogLine } from '@backstage-agents/plugin-agents-common';
import type { LogChunkStore } from '../database/LogChunkStore';
import type { SessionEventHub } from '../events/SessionEventHub';

/** A session's log: persisted in chunks, then announced to live viewers. */
export class SessionLogs {
  constructor(
    private readonly chunks: Pick<LogChunkStore, 'appendLogLines'>,
    private readonly hub: SessionEventHub,
  ) {}

  async append(
    sessionId: string,
    runId: string,
    lines: Array<{ timestamp: string; line: string }>,
  ): Promise<LogLine[]> {
    const persisted = await this.chunks.appendLogLines(sessionId, runId, lines);
    if (persisted.length) this.hub.publish({ type: 'lines', sessionId, lines: persisted });
    return persisted;
  }
}
