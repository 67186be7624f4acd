import type { LogLine } from '@backstage-agents/plugin-agents-common';
import type { LogChunkStore } from '../database/LogChunkStore';
import type { SessionEventHub } from '../events/SessionEventHub';

/** A session's log: persisted in chunks, then announced to live viewers. */
export class SessionLogs {
  constructor(
    private readonly chunks: Pick<LogChunkStore, 'appendLogLines'>,
    private readonly hub: SessionEventHub,
  ) {}

  /**
   * Appends lines to the run's part of the log. `sourceLines` is how many lines of the run's pod log
   * they account for (where its follower resumes): none unless given, since lines the backend writes
   * itself (notes about pull requests, waves) are not the pod's.
   */
  async append(
    sessionId: string,
    runId: string,
    lines: Array<{ timestamp: string; line: string }>,
    options: { sourceLines?: number } = {},
  ): Promise<LogLine[]> {
    const persisted = await this.chunks.appendLogLines(sessionId, runId, lines, {
      sourceLines: options.sourceLines ?? 0,
    });
    if (persisted.length) this.hub.publish({ type: 'lines', sessionId, lines: persisted });
    return persisted;
  }
}
