import { NotFoundError } from '@backstage/errors';
import type { LogLine, SessionStatus } from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { isPostgres } from './databaseClients';
import type { SessionRow } from './sessionRows';

/** A page of a session's log: `hasMore` is true when lines after the last one are persisted. */
export interface LogPage {
  lines: LogLine[];
  hasMore: boolean;
}

/** What a log viewer checks periodically: the session's status and the seq of its last line. */
export interface LogState {
  status: SessionStatus;
  lastSeq: number;
}

/**
 * Sessions' logs, persisted in chunks (one per follower flush) and numbered per session: seqs are
 * dense, one per line, so a cursor says exactly where a reader is.
 */
export class LogChunkStore {
  constructor(private readonly db: Knex) {}

  /**
   * Persists log lines as one chunk, numbered on from the session's last line. `sourceLines` is how
   * many lines of the pod's log the chunk accounts for when that is not its own line count: lines a
   * log limit dropped count, the notice saying so does not.
   */
  async appendLogLines(
    sessionId: string,
    runId: string,
    lines: Array<{ timestamp: string; line: string }>,
    options: { sourceLines?: number } = {},
  ): Promise<LogLine[]> {
    if (lines.length === 0) return [];
    const encoded = JSON.stringify(lines.map(l => [l.timestamp, l.line]));
    const sourceLines =
      options.sourceLines === undefined || options.sourceLines === lines.length ? null : options.sourceLines;
    const numbered = (last: number) => {
      const first = last - lines.length + 1;
      return lines.map((l, i) => ({ seq: first + i, runId, ...l }));
    };
    if (isPostgres(this.db)) {
      // One statement (a live log appends tens of times a second): the seqs are claimed and the chunk
      // written together, so no other append can take the same seqs.
      const { rows } = await this.db.raw(
        `with claimed as (
           update agents_sessions set log_seq = log_seq + ? where id = ? returning log_seq
         )
         insert into agents_log_chunks (session_id, run_id, first_seq, last_seq, lines, source_lines)
         select ?, ?, log_seq - ? + 1, log_seq, ?, ? from claimed
         returning last_seq`,
        [lines.length, sessionId, sessionId, runId, lines.length, encoded, sourceLines],
      );
      if (rows.length !== 1) throw new NotFoundError(`No session with id ${sessionId}`);
      return numbered(Number(rows[0].last_seq));
    }
    return this.db.transaction(async tx => {
      const updated = await tx('agents_sessions')
        .where({ id: sessionId })
        .increment('log_seq', lines.length);
      if (updated !== 1) throw new NotFoundError(`No session with id ${sessionId}`);
      const { log_seq } = (await tx<SessionRow>('agents_sessions')
        .where({ id: sessionId })
        .first('log_seq'))!;
      const last = Number(log_seq);
      await tx('agents_log_chunks').insert({
        session_id: sessionId,
        run_id: runId,
        first_seq: last - lines.length + 1,
        last_seq: last,
        lines: encoded,
        source_lines: sourceLines,
      });
      return numbered(last);
    });
  }

  /**
   * A page of persisted lines: those after `afterSeq`, oldest first, at most `limit` of them, and
   * whether more follow. Seqs are dense within a session (each append claims the next ones in its
   * transaction), so the page lies in the chunks that overlap `(afterSeq, afterSeq + limit]`, however
   * many lines each chunk holds; the chunk holding `afterSeq + limit + 1`, if any, says there is more.
   */
  async readLogLines(sessionId: string, afterSeq: number, limit = 1000): Promise<LogPage> {
    const upTo = afterSeq + Math.max(1, limit);
    const chunks = await this.db('agents_log_chunks')
      .where({ session_id: sessionId })
      .andWhere('last_seq', '>', afterSeq)
      .andWhere('first_seq', '<=', upTo + 1)
      .orderBy('last_seq', 'asc');
    const lines: LogLine[] = [];
    let hasMore = false;
    for (const chunk of chunks) {
      const first = Number(chunk.first_seq);
      const entries: Array<[string, string]> = JSON.parse(chunk.lines);
      for (let i = Math.max(0, afterSeq + 1 - first); i < entries.length; i++) {
        const seq = first + i;
        if (seq > upTo) {
          hasMore = true;
          break;
        }
        const [timestamp, line] = entries[i];
        lines.push({ seq, runId: chunk.run_id, timestamp, line });
      }
    }
    return { lines, hasMore };
  }

  /** A session's status and last log seq, in one cheap read; undefined when it does not exist. */
  async readLogState(sessionId: string): Promise<LogState | undefined> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ id: sessionId })
      .first('status', 'log_seq');
    return row ? { status: row.status as SessionStatus, lastSeq: Number(row.log_seq) } : undefined;
  }

  /**
   * How many lines of a run's pod log its persisted chunks account for (those a log limit dropped
   * included): where a log follower resumes after a restart.
   */
  async countRunLogLines(runId: string): Promise<number> {
    const [{ n }] = await this.db('agents_log_chunks')
      .where({ run_id: runId })
      .select(this.db.raw('coalesce(sum(coalesce(source_lines, last_seq - first_seq + 1)), 0) as n'));
    return Number(n);
  }
}
