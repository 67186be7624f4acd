import { ConflictError } from '@backstage/errors';
import type { PermissionCriteria } from '@backstage/plugin-permission-common';
import {
  ACTIVE_STATUSES,
  type HarnessName,
  type HarnessRun,
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
import { lockFanOut, refreshFanOut } from './fanOutRefresh';
import { whereNotHeld } from './heldTasks';
import { applyPermissionFilter } from './permissionFilter';
import { newRunRow } from './runRows';
import type { SessionStatusChange, StatusChangeListener, Transitioned } from './sessionChanges';
import type { SessionReader } from './SessionReader';
import { type RunRow, type SessionRow, runFromRow, sessionFromRow } from './sessionRows';
import { isBranchViolation, isUniqueViolation } from './storeErrors';

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
  /** A fan-out that runs in waves, on this branch: it starts at wave 1. */
  integrationBranch?: string;
  /** A task of a fan-out that runs in waves: its wave. */
  wave?: number;
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

/** Sessions and their runs as they are created, found and listed. Status changes: {@link TransitionStore}. */
export class SessionStore {
  constructor(
    private readonly db: Knex,
    private readonly reader: SessionReader,
    private readonly announce: StatusChangeListener,
  ) {}

  /**
   * Writes a session and its first run in one transaction. With an idempotency key already used by
   * the same creator, returns the existing session and `created: false` instead.
   */
  async createSession(input: NewSession): Promise<Transitioned & { created: boolean }> {
    const id = randomUUID();
    const timestamp = DateTime.utc().toISO();
    const kind = input.kind ?? 'agent';
    const workBranch = input.workBranch ?? `${input.workBranchPrefix}${id.split('-')[0]}`;
    const changes: SessionStatusChange[] = [
      { id, status: 'pending', entityRef: input.entityRef, parentSessionId: input.parentSessionId },
    ];
    const { templateRef, taskId, stepId } = input.origin;
    const row: Omit<
      SessionRow,
      'seq' | 'log_seq' | 'pr_url' | 'pr_state' | 'head_commit' | 'summary' | 'bundle_id' | 'started_at' | 'finished_at'
    > = {
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
        templateRef || taskId || stepId ? JSON.stringify({ templateRef, taskId, stepId }) : null,
      created_by: input.createdBy,
      status: 'pending',
      idempotency_key: input.idempotencyKey ?? null,
      parent_session_id: input.parentSessionId ?? null,
      issue_url: input.issueUrl ?? null,
      integration_branch: input.integrationBranch ?? null,
      current_wave: input.integrationBranch ? 1 : null,
      wave: input.wave ?? null,
      created_at: timestamp,
      updated_at: timestamp,
    };
    const run = kind === 'agent' ? newRunRow(id, 1, 'initial', input.prompt, timestamp) : undefined;
    try {
      await this.db.transaction(async tx => {
        // A task locks its fan-out's row before its insert takes a key-share lock on it through the
        // foreign key: tasks created at once then queue on the lock instead of upgrading it (which
        // deadlocks, or waits for the pool under a 200-task burst). SQLite serializes writers.
        const parent = input.parentSessionId ? await lockFanOut(tx, input.parentSessionId) : undefined;
        if (input.workBranch) await assertBranchFree(tx, input.repoUrl, input.workBranch);
        if (input.wave !== undefined && input.parentSessionId) {
          assertWaveOpen(input.parentSessionId, parent, input.wave);
        }
        await tx<SessionRow>('agents_sessions').insert(row);
        if (run) await tx<RunRow>('agents_runs').insert(run);
        if (parent) changes.push(...(await refreshFanOut(tx, this.reader, parent, 'added')));
      });
    } catch (error) {
      if (input.idempotencyKey && isUniqueViolation(error)) {
        const existing = await this.findByIdempotencyKey(input.createdBy, input.idempotencyKey);
        if (existing) return { session: existing, created: false, changes: [] };
      }
      if (isBranchViolation(error)) {
        throw new ConflictError(
          `Another unfinished session (started at the same moment) works on branch ${workBranch} of ${input.repoUrl}; wait for it to finish or choose another branch`,
        );
      }
      throw error;
    }
    this.announce(changes);
    // Built from what was inserted rather than read back: a new session has no bundle, usage or tasks yet.
    const session: SessionWithRuns = {
      ...sessionFromRow(row as SessionRow),
      ...(kind === 'fanout' ? { children: { total: 0, byStatus: {} } } : {}),
      runs: run ? [runFromRow(run)] : [],
    };
    return { session, created: true, changes };
  }

  async findByIdempotencyKey(
    createdBy: string,
    idempotencyKey: string,
  ): Promise<SessionWithRuns | undefined> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ created_by: createdBy, idempotency_key: idempotencyKey })
      .first();
    return row ? (await this.reader.withRunsOf([row]))[0] : undefined;
  }

  /** The session's own fields only: no runs, bundle or children. For checks on hot paths. */
  async getSessionFields(id: string): Promise<Session | undefined> {
    const row = await this.db<SessionRow>('agents_sessions').where({ id }).first();
    return row ? sessionFromRow(row) : undefined;
  }

  async getSession(id: string): Promise<SessionWithRuns | undefined> {
    return this.reader.get(id);
  }

  /**
   * One page of sessions, newest first. `nextSeq` is set when there may be more.
   *
   * Every filter combination the API offers is answered by walking an index in `seq` order and stops
   * after the page, however deep the cursor: several statuses are one such walk per status (each at
   * most a page long), merged, because one walk over all of them would read every session in between
   * whose status does not match (e.g. the few unfinished sessions among a million finished ones).
   */
  async listSessions(options: SessionListOptions): Promise<{ items: Session[]; nextSeq?: number }> {
    const { filter, permissionFilter, limit, beforeSeq } = options;
    const statuses = [...new Set(filter.statuses ?? [])];
    const page = (status?: string) => {
      const query = this.reader.selectWithUsage(this.db<SessionRow>('agents_sessions'));
      if (filter.entityRef) query.where('entity_ref', filter.entityRef);
      if (filter.createdBy) query.where('created_by', filter.createdBy);
      if (filter.parentSessionId) query.where('parent_session_id', filter.parentSessionId);
      if (status) query.where('status', status);
      if (beforeSeq !== undefined) query.where('seq', '<', beforeSeq);
      if (permissionFilter) applyPermissionFilter(query, permissionFilter);
      return query.orderBy('seq', 'desc').limit(limit + 1);
    };
    let rows: SessionRow[];
    if (statuses.length <= 1) {
      rows = await page(statuses[0]);
    } else {
      // Each walk as a derived table: SQLite allows ORDER BY and LIMIT only there, not on a UNION's parts.
      const [first, ...rest] = statuses.map(status =>
        this.db.select('*').from(page(status).as('by_status')),
      );
      rows = await this.db
        .select('*')
        .from(first.unionAll(rest).as('merged'))
        .orderBy('seq', 'desc')
        .limit(limit + 1);
    }
    const items = rows.slice(0, limit);
    return {
      items: await this.reader.withoutRunsOf(items, { usageSummed: true }),
      nextSeq: rows.length > limit ? Number(items[items.length - 1].seq) : undefined,
    };
  }

  /**
   * Agent sessions that are not finished (pending, starting or running), with their runs, oldest
   * first; without the held tasks of fan-outs in waves, which must not be launched yet.
   */
  async listActiveSessions(): Promise<SessionWithRuns[]> {
    const rows: SessionRow[] = await whereNotHeld(
      this.db<SessionRow>('agents_sessions').whereIn('status', ACTIVE_STATUSES).where({ kind: 'agent' }),
    ).orderBy('seq', 'asc');
    return this.reader.withRunsOf(rows);
  }

  /** A fan-out's child sessions with their runs, oldest first. */
  async listChildSessions(
    parentId: string,
    options: { unfinishedOnly?: boolean } = {},
  ): Promise<SessionWithRuns[]> {
    const query = this.db<SessionRow>('agents_sessions').where({ parent_session_id: parentId });
    if (options.unfinishedOnly) query.whereIn('status', ACTIVE_STATUSES);
    const rows: SessionRow[] = await query.orderBy('seq', 'asc');
    return this.reader.withRunsOf(rows);
  }

  async getRun(runId: string): Promise<HarnessRun | undefined> {
    const row = await this.db<RunRow>('agents_runs').where({ id: runId }).first();
    return row ? runFromRow(row) : undefined;
  }
}

/**
 * Refuses a task for a wave that is over, or for a fan-out whose later waves will not start. Checked in
 * the transaction that inserts the task, with the fan-out's row locked (PostgreSQL), so a wave that
 * advances meanwhile cannot leave the task behind, unmerged.
 */
function assertWaveOpen(parentId: string, parent: SessionRow | undefined, wave: number) {
  if (!parent || parent.current_wave === null || parent.current_wave === undefined) return;
  if (parent.wave_error) {
    throw new ConflictError(
      `Fan-out session ${parentId} runs no further waves (${parent.wave_error}); it takes no new tasks: start a new fan-out`,
    );
  }
  if (wave < Number(parent.current_wave)) {
    throw new ConflictError(
      `Wave ${wave} of fan-out session ${parentId} is over (it is at wave ${parent.current_wave}); add the task to wave ${parent.current_wave} or later`,
    );
  }
}

/** Refuses a branch asked for by name while another unfinished session pushes to it. */
async function assertBranchFree(tx: Knex.Transaction, repoUrl: string, workBranch: string) {
  const holder = await tx<SessionRow>('agents_sessions')
    .where({ repo_url: repoUrl, work_branch: workBranch })
    .whereIn('status', ACTIVE_STATUSES)
    .first('id');
  if (holder) {
    throw new ConflictError(
      `Session ${holder.id} is still working on branch ${workBranch} of ${repoUrl}; wait for it to finish or choose another branch`,
    );
  }
}
