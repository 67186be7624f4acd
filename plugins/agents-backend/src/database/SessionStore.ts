import type { DatabaseService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  assertTransition,
  fanOutStatus,
  type FanOutChildren,
  type HarnessName,
  type HarnessResult,
  type HarnessRun,
  type LogLine,
  type PullRequestState,
  type RunKind,
  type Session,
  type SessionKind,
  type SessionOriginRef,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { AgentsSessionFilter } from '@backstage-agents/plugin-agents-node';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { isPostgres, isSqlite } from './databaseClients';
import { applyDatabaseMigrations } from './migrations';
import { applyPermissionFilter } from './permissionFilter';
import {
  type BundleRow,
  type RunRow,
  type SessionRow,
  runFromRow,
  sessionFromRow,
} from './sessionRows';

/** Everything needed to write a new session and its first run. */
export interface NewSession {
  /** Default `agent`; a `fanout` session gets no run. */
  kind?: SessionKind;
  entityRef: string;
  entityOwnerRef?: string;
  repoUrl: string;
  baseBranch?: string;
  /** Prefix of the work branch; the session id's first block is appended. */
  workBranchPrefix: string;
  /** A branch asked for by name instead; refused while another unfinished session pushes to it. */
  workBranch?: string;
  harness: HarnessName;
  prompt: string;
  policy: { name: string; snapshot: object };
  origin: SessionOriginRef;
  createdBy: string;
  idempotencyKey?: string;
  parentSessionId?: string;
  /** The GitHub issue the session works on (webhook-triggered sessions). */
  issueUrl?: string;
}

export interface SessionListFilter {
  entityRef?: string;
  statuses?: SessionStatus[];
  createdBy?: string;
  parentSessionId?: string;
}

export interface SessionListOptions {
  filter: SessionListFilter;
  /** A conditional permission decision, translated to SQL. */
  permissionFilter?: PermissionCriteria<AgentsSessionFilter>;
  limit: number;
  /** Return sessions older than this `seq` (from a cursor). */
  beforeSeq?: number;
}

/** Fields a status change may set on the session and on its latest run. */
/** A page of a session's log: `hasMore` is true when lines after the last one are persisted. */
export interface LogPage {
  lines: LogLine[];
  hasMore: boolean;
}

export interface StatusChange {
  summary?: string;
  headCommit?: string;
  run?: {
    exitCode?: number;
    reason?: string;
    result?: HarnessResult;
    podName?: string;
    namespace?: string;
    /** Set when the run is claimed for launch: the hash of its run token. */
    runTokenHash?: string;
    /** Set when the run is claimed for launch: the bundle it restores. */
    inputBundleId?: string;
  };
}

/**
 * A status a write has set, with what views filter announcements on. Callers publish it: a write to
 * a fan-out's task may also move the fan-out, whose status is derived from its tasks.
 */
export type SessionStatusChange = Pick<Session, 'id' | 'status' | 'entityRef' | 'parentSessionId'>;

/** A session as a write left it, and every status that write set: the session's, then its fan-out's. */
export interface Transitioned {
  session: SessionWithRuns;
  changes: SessionStatusChange[];
}

const now = () => DateTime.utc().toISO();
const ACTIVE: SessionStatus[] = ['pending', 'starting', 'running'];

/** What a concurrency cap counts over. */
export type ConcurrencyScope = 'entity' | 'owner' | 'policy';

const SCOPE_COLUMNS = {
  entity: 'entity_ref',
  owner: 'entity_owner_ref',
  policy: 'policy_name',
} as const;
/** The advisory lock key that serializes admissions under concurrency caps across replicas ("agents" in ASCII). */
const ADMISSION_LOCK_KEY = 0x6167656e7473;
const TERMINAL = new Set<SessionStatus>([
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
]);

/**
 * Sessions, runs and persisted logs in Backstage's database. Every status change goes through the
 * status model and is conditional on the status it was checked against, so concurrent writers
 * (replicas, the reconciler, a user's cancel) cannot overwrite each other.
 */
export class SessionStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
  }): Promise<SessionStore> {
    const client = await options.database.getClient();
    await applyDatabaseMigrations(options.database, client);
    if (isSqlite(client)) {
      // Every status change and log chunk is a small write transaction. SQLite's default rollback
      // journal syncs the disk several times per commit; write-ahead logging with NORMAL sync syncs
      // at checkpoints only (a power cut may lose the last commits, never corrupt the file). Production
      // runs PostgreSQL; this keeps the SQLite default usable for development and small installations.
      await client.raw('PRAGMA journal_mode = WAL');
      await client.raw('PRAGMA synchronous = NORMAL');
    }
    return new SessionStore(client);
  }

  /**
   * Writes a session and its first run in one transaction. With an idempotency key already used by
   * the same creator, returns the existing session and `created: false` instead.
   */
  async createSession(
    input: NewSession,
  ): Promise<Transitioned & { created: boolean }> {
    const id = randomUUID();
    const timestamp = now();
    const kind = input.kind ?? 'agent';
    const workBranch = input.workBranch ?? `${input.workBranchPrefix}${id.split('-')[0]}`;
    const changes: SessionStatusChange[] = [
      { id, status: 'pending', entityRef: input.entityRef, parentSessionId: input.parentSessionId },
    ];
    try {
      await this.db.transaction(async tx => {
        const { templateRef, taskId, stepId } = input.origin;
        if (input.workBranch) {
          const holder = await tx<SessionRow>('agents_sessions')
            .where({ repo_url: input.repoUrl, work_branch: input.workBranch })
            .whereIn('status', ACTIVE)
            .first('id');
          if (holder) {
            throw new ConflictError(
              `Session ${holder.id} is still working on branch ${input.workBranch} of ${input.repoUrl}; wait for it to finish or choose another branch`,
            );
          }
        }
        await tx<SessionRow>('agents_sessions').insert({
          id,
          kind,
          entity_ref: input.entityRef,
          entity_owner_ref: input.entityOwnerRef ?? null,
          repo_url: input.repoUrl,
          base_branch: input.baseBranch ?? null,
          work_branch: workBranch,
          harness: input.harness,
          prompt: input.prompt,
          policy_name: input.policy.name,
          policy_snapshot: JSON.stringify(input.policy.snapshot),
          origin: input.origin.kind,
          origin_ref:
            templateRef || taskId || stepId
              ? JSON.stringify({ templateRef, taskId, stepId })
              : null,
          created_by: input.createdBy,
          status: 'pending',
          idempotency_key: input.idempotencyKey ?? null,
          parent_session_id: input.parentSessionId ?? null,
          issue_url: input.issueUrl ?? null,
          created_at: timestamp,
          updated_at: timestamp,
        });
        if (kind === 'agent') {
          await tx<RunRow>('agents_runs').insert(
            newRunRow(id, 1, 'initial', input.prompt, timestamp),
          );
        }
        if (input.parentSessionId) changes.push(...(await this.refreshFanOut(tx, input.parentSessionId)));
      });
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.findByIdempotencyKey(
          input.createdBy,
          input.idempotencyKey,
        );
        if (existing) return { session: existing, created: false, changes: [] };
      }
      if (isBranchViolation(error)) {
        throw new ConflictError(
          `Another unfinished session (started at the same moment) works on branch ${workBranch} of ${input.repoUrl}; wait for it to finish or choose another branch`,
        );
      }
      throw error;
    }
    return { session: (await this.getSession(id))!, created: true, changes };
  }

  async findByIdempotencyKey(
    createdBy: string,
    idempotencyKey: string,
  ): Promise<SessionWithRuns | undefined> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ created_by: createdBy, idempotency_key: idempotencyKey })
      .first();
    return row ? this.withRuns(row) : undefined;
  }

  /** The session's own fields only: no runs, bundle or children. For checks on hot paths. */
  async getSessionFields(id: string): Promise<Session | undefined> {
    const row = await this.db<SessionRow>('agents_sessions').where({ id }).first();
    return row ? sessionFromRow(row) : undefined;
  }

  async getSession(id: string): Promise<SessionWithRuns | undefined> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ id })
      .first();
    return row ? this.withRuns(row) : undefined;
  }

  /** One page of sessions, newest first. `nextSeq` is set when there may be more. */
  async listSessions(
    options: SessionListOptions,
  ): Promise<{ items: Session[]; nextSeq?: number }> {
    const { filter, permissionFilter, limit, beforeSeq } = options;
    const query = this.db<SessionRow>('agents_sessions');
    if (filter.entityRef) query.where('entity_ref', filter.entityRef);
    if (filter.createdBy) query.where('created_by', filter.createdBy);
    if (filter.parentSessionId)
      query.where('parent_session_id', filter.parentSessionId);
    if (filter.statuses?.length) query.whereIn('status', filter.statuses);
    if (beforeSeq !== undefined) query.where('seq', '<', beforeSeq);
    if (permissionFilter) applyPermissionFilter(query, permissionFilter);
    const rows: SessionRow[] = await query
      .orderBy('seq', 'desc')
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const bundles = await this.bundlesFor(page);
    const children = await this.childrenOf(page);
    return {
      items: page.map(row => ({
        ...sessionFromRow(row, row.bundle_id ? bundles.get(row.bundle_id) : undefined),
        ...(children.has(row.id) ? { children: children.get(row.id) } : {}),
      })),
      nextSeq: rows.length > limit ? Number(page[page.length - 1].seq) : undefined,
    };
  }

  /**
   * Moves a session (and its latest run) to `to`, if the status model allows it from the status it
   * has now. Throws ConflictError when it does not, or when another writer got there first.
   */
  async transition(
    id: string,
    to: SessionStatus,
    change: StatusChange = {},
  ): Promise<Transitioned> {
    const changes = await this.applyTransition(id, to, change);
    return { session: (await this.getSession(id))!, changes };
  }

  /** {@link SessionStore.transition} without reading the session back: for the launcher's hot path. */
  async applyTransition(
    id: string,
    to: SessionStatus,
    change: StatusChange = {},
  ): Promise<SessionStatusChange[]> {
    return this.db.transaction(async tx => {
      const current = await tx<SessionRow>('agents_sessions')
        .where({ id })
        .first();
      if (!current) throw new NotFoundError(`No session with id ${id}`);
      const from = current.status as SessionStatus;
      checkTransition(from, to);
      const timestamp = now();
      const updated = await tx<SessionRow>('agents_sessions')
        .where({ id, status: from })
        .update({
          status: to,
          updated_at: timestamp,
          ...(to === 'running' && !current.started_at
            ? { started_at: timestamp }
            : {}),
          ...(TERMINAL.has(to) ? { finished_at: timestamp } : {}),
          ...(change.summary !== undefined ? { summary: change.summary } : {}),
          ...(change.headCommit !== undefined
            ? { head_commit: change.headCommit }
            : {}),
        });
      if (updated !== 1) {
        throw new ConflictError(
          `Session ${id} changed while it was being updated; try again`,
        );
      }
      const changes = [statusChange(current, to)];
      if (current.parent_session_id) changes.push(...(await this.refreshFanOut(tx, current.parent_session_id)));
      // A fan-out has no run: only a childless one is ever transitioned (cancelled).
      const run = await latestRun(tx, id, current.kind !== 'fanout');
      if (!run) return changes;
      await tx<RunRow>('agents_runs')
        .where({ id: run.id })
        .update({
          phase: to,
          ...(to === 'running' && !run.started_at ? { started_at: timestamp } : {}),
          ...(TERMINAL.has(to) ? { finished_at: timestamp } : {}),
          ...(change.run?.exitCode !== undefined
            ? { exit_code: change.run.exitCode }
            : {}),
          ...(change.run?.reason !== undefined ? { reason: change.run.reason } : {}),
          ...(change.run?.result !== undefined
            ? { result: JSON.stringify(change.run.result) }
            : {}),
          ...(change.run?.podName !== undefined
            ? { pod_name: change.run.podName }
            : {}),
          ...(change.run?.namespace !== undefined
            ? { namespace: change.run.namespace }
            : {}),
          ...(change.run?.runTokenHash !== undefined
            ? { run_token_hash: change.run.runTokenHash }
            : {}),
          ...(change.run?.inputBundleId !== undefined
            ? { input_bundle_id: change.run.inputBundleId }
            : {}),
        });
      return changes;
    });
  }

  /** Puts a finished session back to `pending` with a new run for the follow-up prompt. */
  async resume(id: string, prompt: string): Promise<Transitioned> {
    const changes = await this.db.transaction(async tx => {
      const current = await tx<SessionRow>('agents_sessions')
        .where({ id })
        .first();
      if (!current) throw new NotFoundError(`No session with id ${id}`);
      if (current.kind === 'fanout') {
        throw new ConflictError(
          `Session ${id} is a fan-out: it runs nothing itself; resume the child sessions that need more work`,
        );
      }
      const from = current.status as SessionStatus;
      checkTransition(from, 'pending');
      const timestamp = now();
      const updated = await tx<SessionRow>('agents_sessions')
        .where({ id, status: from })
        .update({ status: 'pending', updated_at: timestamp, finished_at: null })
        .catch(error => {
          if (!isBranchViolation(error)) throw error;
          throw new ConflictError(
            `Another unfinished session works on branch ${current.work_branch} of ${current.repo_url} now; resume this one when it has finished`,
          );
        });
      if (updated !== 1) {
        throw new ConflictError(
          `Session ${id} changed while it was being resumed; try again`,
        );
      }
      const previous = (await latestRun(tx, id))!;
      await tx<RunRow>('agents_runs').insert(
        newRunRow(id, previous.attempt + 1, 'resume', prompt, timestamp),
      );
      const resumed = [statusChange(current, 'pending')];
      if (current.parent_session_id) resumed.push(...(await this.refreshFanOut(tx, current.parent_session_id)));
      return resumed;
    });
    return { session: (await this.getSession(id))!, changes };
  }

  /**
   * Persists log lines as one chunk and numbers them: seqs continue from the session's last line,
   * one per line, so a cursor identifies exactly where a reader is.
   */
  async appendLogLines(
    sessionId: string,
    runId: string,
    lines: Array<{ timestamp: string; line: string }>,
  ): Promise<LogLine[]> {
    if (lines.length === 0) return [];
    return this.db.transaction(async tx => {
      const updated = await tx('agents_sessions')
        .where({ id: sessionId })
        .increment('log_seq', lines.length);
      if (updated !== 1) throw new NotFoundError(`No session with id ${sessionId}`);
      const { log_seq } = (await tx<SessionRow>('agents_sessions')
        .where({ id: sessionId })
        .first('log_seq'))!;
      const last = Number(log_seq);
      const first = last - lines.length + 1;
      await tx('agents_log_chunks').insert({
        session_id: sessionId,
        run_id: runId,
        first_seq: first,
        last_seq: last,
        lines: JSON.stringify(lines.map(l => [l.timestamp, l.line])),
      });
      return lines.map((l, i) => ({ seq: first + i, runId, ...l }));
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

  /** Agent sessions that are not finished (pending, starting or running), with their runs, oldest first. */
  async listActiveSessions(): Promise<SessionWithRuns[]> {
    const rows: SessionRow[] = await this.db<SessionRow>('agents_sessions')
      .whereIn('status', ACTIVE)
      .where({ kind: 'agent' })
      .orderBy('seq', 'asc');
    return this.withRunsOf(rows);
  }

  /** A fan-out's child sessions with their runs, oldest first. */
  async listChildSessions(
    parentId: string,
    options: { unfinishedOnly?: boolean } = {},
  ): Promise<SessionWithRuns[]> {
    const query = this.db<SessionRow>('agents_sessions').where({ parent_session_id: parentId });
    if (options.unfinishedOnly) query.whereIn('status', ACTIVE);
    const rows: SessionRow[] = await query.orderBy('seq', 'asc');
    return this.withRunsOf(rows);
  }

  async getRun(runId: string): Promise<HarnessRun | undefined> {
    const row = await this.db<RunRow>('agents_runs').where({ id: runId }).first();
    return row ? runFromRow(row) : undefined;
  }

  /** Keeps the harness's result line on its run as soon as it is read, before the pod ends. */
  async recordRunResult(runId: string, result: HarnessResult): Promise<void> {
    await this.db<RunRow>('agents_runs')
      .where({ id: runId })
      .update({ result: JSON.stringify(result) });
  }

  /**
   * The load a session's concurrency caps are checked against, in each scope (its entity, its entity's
   * owner, its policy): agent sessions active (starting or running) and those waiting ahead of it
   * (pending, created before it). One query for all three scopes, as it runs for every launch. A scope
   * is absent when the session has nothing to count it by (an entity without owner).
   */
  async concurrency(
    sessionId: string,
  ): Promise<Partial<Record<ConcurrencyScope, { active: number; waitingBefore: number }>>> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ id: sessionId })
      .first('seq', ...Object.values(SCOPE_COLUMNS));
    if (!row) throw new NotFoundError(`No session with id ${sessionId}`);
    const scopes = (Object.keys(SCOPE_COLUMNS) as ConcurrencyScope[]).filter(
      scope => row[SCOPE_COLUMNS[scope]] !== null && row[SCOPE_COLUMNS[scope]] !== undefined,
    );
    if (scopes.length === 0) return {};
    const sums: string[] = [];
    const bindings: Array<string | number> = [];
    for (const scope of scopes) {
      const value = row[SCOPE_COLUMNS[scope]];
      sums.push(
        `sum(case when ${SCOPE_COLUMNS[scope]} = ? and status in ('starting', 'running') then 1 else 0 end) as ${scope}_active`,
        `sum(case when ${SCOPE_COLUMNS[scope]} = ? and status = 'pending' and seq < ? then 1 else 0 end) as ${scope}_waiting`,
      );
      bindings.push(value as string, value as string, row.seq);
    }
    const counts = await this.db('agents_sessions')
      .where({ kind: 'agent' })
      .whereIn('status', ACTIVE)
      .where(q => {
        for (const scope of scopes) q.orWhere(SCOPE_COLUMNS[scope], row[SCOPE_COLUMNS[scope]] as string);
      })
      .first(this.db.raw(sums.join(', '), bindings));
    return Object.fromEntries(
      scopes.map(scope => [
        scope,
        { active: Number(counts?.[`${scope}_active`] ?? 0), waitingBefore: Number(counts?.[`${scope}_waiting`] ?? 0) },
      ]),
    );
  }

  /**
   * Runs `fn` (a concurrency check and the claim it allows) while no other replica runs one: on
   * PostgreSQL under a transaction-scoped advisory lock, held on its own connection while `fn`
   * uses others. Without it, a replica could claim a session from counts that another replica's
   * claim is about to change. SQLite serves a single process, whose gate already serializes.
   */
  async withAdmissionLock<T>(fn: () => Promise<T>): Promise<T> {
    if (!isPostgres(this.db)) return fn();
    return this.db.transaction(async tx => {
      await tx.raw('select pg_advisory_xact_lock(?)', [ADMISSION_LOCK_KEY]);
      return fn();
    });
  }

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
        updated_at: now(),
      });
  }

  /**
   * Finished sessions whose pushed head commit has no pull request update yet (a sync the backend
   * missed, e.g. across a restart), oldest first.
   */
  async sessionsAwaitingPullRequest(limit: number): Promise<SessionWithRuns[]> {
    const rows: SessionRow[] = await this.db<SessionRow>('agents_sessions')
      .whereIn('status', [...TERMINAL])
      .whereNotNull('head_commit')
      .where(q => q.whereNull('pr_synced_commit').orWhereRaw('pr_synced_commit <> head_commit'))
      .orderBy('seq', 'asc')
      .limit(limit);
    return this.withRunsOf(rows);
  }

  /** Sessions with an open pull request, least recently updated first: candidates for a refresh. */
  async sessionsWithOpenPullRequests(limit: number): Promise<Session[]> {
    const rows: SessionRow[] = await this.db<SessionRow>('agents_sessions')
      .where({ pr_state: 'open' })
      .orderBy('updated_at', 'asc')
      .limit(limit);
    return rows.map(row => sessionFromRow(row));
  }

  /** How many log lines of a run are persisted: where a log follower resumes after a restart. */
  async countRunLogLines(runId: string): Promise<number> {
    const [{ n }] = await this.db('agents_log_chunks')
      .where({ run_id: runId })
      .select(this.db.raw('coalesce(sum(last_seq - first_seq + 1), 0) as n'));
    return Number(n);
  }

  private async withRuns(row: SessionRow): Promise<SessionWithRuns> {
    return (await this.withRunsOf([row]))[0];
  }

  /** Sessions with their runs, bundles and fan-out counts: one query each for the whole list. */
  private async withRunsOf(rows: SessionRow[]): Promise<SessionWithRuns[]> {
    if (rows.length === 0) return [];
    const runRows: RunRow[] = await this.db<RunRow>('agents_runs')
      .whereIn('session_id', rows.map(r => r.id))
      .orderBy('attempt', 'asc');
    const runs = new Map<string, RunRow[]>();
    for (const run of runRows) {
      const list = runs.get(run.session_id) ?? [];
      list.push(run);
      runs.set(run.session_id, list);
    }
    const bundles = await this.bundlesFor(rows);
    const children = await this.childrenOf(rows);
    return rows.map(row => ({
      ...sessionFromRow(row, row.bundle_id ? bundles.get(row.bundle_id) : undefined),
      ...(children.has(row.id) ? { children: children.get(row.id) } : {}),
      runs: (runs.get(row.id) ?? []).map(runFromRow),
    }));
  }

  /** The children of the fan-out sessions among `rows`, by status. */
  private async childrenOf(
    rows: SessionRow[],
    db: Knex = this.db,
  ): Promise<Map<string, FanOutChildren>> {
    const ids = rows.filter(r => r.kind === 'fanout').map(r => r.id);
    const result = new Map<string, FanOutChildren>(
      ids.map(id => [id, { total: 0, byStatus: {} }]),
    );
    if (ids.length === 0) return result;
    const counts: Array<{ parent_session_id: string; status: SessionStatus; n: number | string }> =
      await db('agents_sessions')
        .whereIn('parent_session_id', ids)
        .groupBy('parent_session_id', 'status')
        .select('parent_session_id', 'status')
        .count({ n: '*' });
    for (const { parent_session_id, status, n } of counts) {
      const children = result.get(parent_session_id)!;
      children.byStatus[status] = Number(n);
      children.total += Number(n);
    }
    return result;
  }

  /**
   * Derives a fan-out's status from its children, inside the transaction that changed one of them.
   * The fan-out's row is locked first (on PostgreSQL), so children finishing at the same moment in
   * other transactions are counted after one another and the last one sees them all. Returns the
   * fan-out's change, or nothing when its status stays.
   */
  private async refreshFanOut(
    tx: Knex.Transaction,
    parentId: string,
  ): Promise<SessionStatusChange[]> {
    const lock = tx<SessionRow>('agents_sessions').where({ id: parentId });
    // SQLite serializes writers and has no row locks (knex warns on `forUpdate` there).
    if (!isSqlite(tx)) lock.forUpdate();
    const parent = await lock.first();
    if (!parent || parent.kind !== 'fanout') return [];
    const children = (await this.childrenOf([parent], tx)).get(parent.id)!;
    const status = fanOutStatus(children.byStatus);
    if (status === parent.status) return [];
    const timestamp = now();
    await tx<SessionRow>('agents_sessions')
      .where({ id: parentId })
      .update({
        status,
        updated_at: timestamp,
        ...(status !== 'pending' && !parent.started_at ? { started_at: timestamp } : {}),
        finished_at: TERMINAL.has(status) ? timestamp : null,
      });
    return [statusChange(parent, status)];
  }

  private async bundlesFor(rows: SessionRow[]): Promise<Map<string, BundleRow>> {
    const ids = rows.map(r => r.bundle_id).filter((b): b is string => !!b);
    if (ids.length === 0) return new Map();
    const bundles: BundleRow[] = await this.db('agents_bundles')
      .whereIn('id', ids)
      .where({ state: 'complete' })
      .select('id', 'session_id', 'run_id', 'digest', 'size_bytes', 'storage', 'location', 'created_at');
    return new Map(bundles.map(b => [b.id, b]));
  }
}

function newRunRow(
  sessionId: string,
  attempt: number,
  kind: RunKind,
  prompt: string,
  timestamp: string,
): RunRow {
  return {
    id: randomUUID(),
    session_id: sessionId,
    attempt,
    kind,
    prompt,
    pod_name: null,
    namespace: null,
    phase: 'pending',
    exit_code: null,
    reason: null,
    result: null,
    created_at: timestamp,
    started_at: null,
    finished_at: null,
  };
}

/** The change a write made to the status of the session in `row`. */
function statusChange(row: SessionRow, status: SessionStatus): SessionStatusChange {
  return {
    id: row.id,
    status,
    entityRef: row.entity_ref,
    parentSessionId: row.parent_session_id ?? undefined,
  };
}

async function latestRun(
  tx: Knex.Transaction,
  sessionId: string,
  required = true,
): Promise<RunRow | undefined> {
  const run = await tx<RunRow>('agents_runs')
    .where({ session_id: sessionId })
    .orderBy('attempt', 'desc')
    .first();
  if (!run && required) throw new Error(`Session ${sessionId} has no run`);
  return run;
}


/** Turns the status model's refusal into a 409 for callers. */
function checkTransition(from: SessionStatus, to: SessionStatus) {
  try {
    assertTransition(from, to);
  } catch (error) {
    throw new ConflictError((error as Error).message);
  }
}

/** A second unfinished session on a repository's branch (the partial unique index of the fan-out migration). */
function isBranchViolation(error: unknown): boolean {
  const message = (error as { message?: string })?.message ?? '';
  return (
    isUniqueViolation(error) &&
    (message.includes('agents_sessions_active_branch_idx') || message.includes('agents_sessions.work_branch'))
  );
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /unique constraint/i.test(e?.message ?? '')
  );
}

