import {
  TERMINAL_STATUSES,
  type PullRequestState,
  type Session,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { SessionReader } from './SessionReader';
import { type SessionRow, sessionFromRow } from './sessionRows';

/** Sessions' pull requests: what was opened, its state, and which head commit it reflects. */
export class PullRequestStore {
  constructor(
    private readonly db: Knex,
    private readonly reader: SessionReader,
  ) {}

  /** Records the session's pull request and the head commit it now reflects. */
  async setPullRequest(
    sessionId: string,
    change: { url?: string; state?: PullRequestState; syncedCommit?: string },
  ): Promise<void> {
    await this.db<SessionRow>('agents_sessions')
      .where({ id: sessionId })
      .update({
        ...(change.url !== undefined ? { pr_url: change.url } : {}),
        ...(change.state !== undefined ? { pr_state: change.state } : {}),
        ...(change.syncedCommit !== undefined ? { pr_synced_commit: change.syncedCommit } : {}),
        updated_at: DateTime.utc().toISO(),
      });
  }

  /**
   * Finished sessions whose pushed head commit has no pull request update yet (a sync the backend
   * missed, e.g. across a restart), oldest first.
   */
  async sessionsAwaitingPullRequest(limit: number): Promise<SessionWithRuns[]> {
    const rows: SessionRow[] = await this.db<SessionRow>('agents_sessions')
      .whereIn('status', TERMINAL_STATUSES)
      .whereNotNull('head_commit')
      .where(q => q.whereNull('pr_synced_commit').orWhereRaw('pr_synced_commit <> head_commit'))
      .orderBy('seq', 'asc')
      .limit(limit);
    return this.reader.withRunsOf(rows);
  }

  /** Sessions with an open pull request, least recently updated first: candidates for a refresh. */
  async sessionsWithOpenPullRequests(limit: number): Promise<Session[]> {
    const rows: SessionRow[] = await this.db<SessionRow>('agents_sessions')
      .where({ pr_state: 'open' })
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(row => sessionFromRow(row));
  }
}
