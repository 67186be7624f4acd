import { NotFoundError, ConflictError } from '@backstage/errors';
import {
  isTerminalStatus,
  type HarnessResult,
  type Session,
  type SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { isPostgres } from './databaseClients';
import { lockFanOut, refreshFanOut } from './fanOutRefresh';
import { latestRun, newRunRow, resultColumns } from './runRows';
import {
  type SessionStatusChange,
  type StatusChangeListener,
  type Transitioned,
  statusChange,
} from './sessionChanges';
import type { SessionReader } from './SessionReader';
import type { RunRow, SessionRow } from './sessionRows';
import { checkTransition, isBranchViolation } from './storeErrors';

/** Fields a status change may set on the session and on its latest run. */
export interface StatusChange {
  summary?: string;
  headCommit?: string;
  run?: {
    exitCode?: number;
    reason?: string;
    result?: HarnessResult;
    podName?: string;
    namespace?: string;
    /** The cluster the run is launched on (a named cluster, or the default one). */
    cluster?: string;
    /** Set when the run is claimed for launch: the hash of its run token. */
    runTokenHash?: string;
    /** Set when the run is claimed for launch: the bundle it restores. */
    inputBundleId?: string;
  };
}

/**
 * Every status change of sessions and runs. Each goes through the status model and is conditional
 * on the status it was checked against, so concurrent writers (replicas, the reconciler, a user's
 * cancel) cannot overwrite each other. Each returns every status it set, a fan-out's included, for
 * the caller to publish.
 */
export class TransitionStore {
  constructor(
    private readonly db: Knex,
    private readonly reader: SessionReader,
    private readonly announce: StatusChangeListener,
  ) {}

  /**
   * Moves a session (and its latest run) to `to`, if the status model allows it from the status it
   * has now. Throws ConflictError when it does not, or when another writer got there first.
   */
  async transition(id: string, to: SessionStatus, change: StatusChange = {}): Promise<Transitioned> {
    const changes = await this.applyTransition(id, to, change);
    return { session: (await this.reader.get(id))!, changes };
  }

  /** {@link TransitionStore.transition} without reading the session back: for the launcher's hot path. */
  async applyTransition(
    id: string,
    to: SessionStatus,
    change: StatusChange = {},
  ): Promise<SessionStatusChange[]> {
    const changes = await this.db.transaction(async tx => {
      const current = await tx<SessionRow>('agents_sessions').where({ id }).first();
      if (!current) throw new NotFoundError(`No session with id ${id}`);
      const from = current.status as SessionStatus;
      checkTransition(from, to);
      if (to === 'starting') await assertNotHeld(tx, current);
      const timestamp = DateTime.utc().toISO();
      const finished = isTerminalStatus(to) ? { finished_at: timestamp } : {};
      const updated = await tx<SessionRow>('agents_sessions')
        .where({ id, status: from })
        .update({
          status: to,
          updated_at: timestamp,
          ...(to === 'running' && !current.started_at ? { started_at: timestamp } : {}),
          ...finished,
          ...(change.summary !== undefined ? { summary: change.summary } : {}),
          ...(change.headCommit !== undefined ? { head_commit: change.headCommit } : {}),
        });
      if (updated !== 1) {
        throw new ConflictError(`Session ${id} changed while it was being updated; try again`);
      }
      const set = [statusChange(current, to)];
      if (current.parent_session_id) {
        set.push(...(await refreshFanOut(tx, this.reader, current.parent_session_id)));
      }
      // A fan-out has no run: only a childless one is ever transitioned (cancelled).
      const run = await latestRun(tx, id, current.kind !== 'fanout');
      if (!run) return set;
      await tx<RunRow>('agents_runs')
        .where({ id: run.id })
        .update({
          phase: to,
          ...(to === 'running' && !run.started_at ? { started_at: timestamp } : {}),
          ...finished,
          ...runFields(change.run),
        });
      return set;
    });
    this.announce(changes);
    return changes;
  }

  /**
   * The launcher's claim: `pending → starting` for a session and its run `runId`, which must still be
   * its latest run. Throws ConflictError when another writer changed the session first. The hot path
   * of every launch, so nothing is read first: a session outside a fan-out is claimed in one
   * statement on PostgreSQL (two updates in one transaction on SQLite); a fan-out's task locks its
   * fan-out's row first (as its creation did), is refused while its wave has not come, and moves the
   * fan-out's derived status.
   */
  async claimLaunch(
    session: Pick<Session, 'id' | 'entityRef' | 'parentSessionId' | 'wave'>,
    runId: string,
    run: StatusChange['run'],
  ): Promise<SessionStatusChange[]> {
    const { id, parentSessionId } = session;
    const timestamp = DateTime.utc().toISO();
    const claimSession = (db: Knex) =>
      db<SessionRow>('agents_sessions')
        .where({ id, status: 'pending' })
        .whereExists(db('agents_runs').where({ id: runId, session_id: id }).select(1))
        // A resume since the caller read the session would have added a newer run.
        .whereNotExists(
          db('agents_runs')
            .where('session_id', id)
            .where('attempt', '>', db('agents_runs').where('id', runId).select('attempt'))
            .select(1),
        );
    const claimed = { status: 'starting', updated_at: timestamp };
    const runColumns = { phase: 'starting', ...runFields(run) };
    const refused = () =>
      new ConflictError(`Session ${id} is no longer pending with run ${runId}; another writer changed it first`);
    const changes: SessionStatusChange[] = [{ id, status: 'starting', entityRef: session.entityRef, parentSessionId }];
    if (parentSessionId) {
      changes.push(
        ...(await this.db.transaction(async tx => {
          const parent = await lockFanOut(tx, parentSessionId);
          assertWaveCome(id, session.wave, parentSessionId, parent?.current_wave);
          if ((await claimSession(tx).update(claimed)) !== 1) throw refused();
          await tx<RunRow>('agents_runs').where({ id: runId }).update(runColumns);
          return refreshFanOut(tx, this.reader, parent, 'started');
        })),
      );
    } else if (isPostgres(this.db)) {
      const updated = await this.db<RunRow>('agents_runs')
        .with('claimed', claimSession(this.db).update(claimed, ['id']))
        .where({ id: runId, session_id: id })
        .whereExists(this.db.select(1).from('claimed'))
        .update(runColumns);
      if (updated !== 1) throw refused();
    } else {
      await this.db.transaction(async tx => {
        if ((await claimSession(tx).update(claimed)) !== 1) throw refused();
        await tx<RunRow>('agents_runs').where({ id: runId }).update(runColumns);
      });
    }
    this.announce(changes);
    return changes;
  }

  /** Puts a finished session back to `pending` with a new run for the follow-up prompt. */
  async resume(id: string, prompt: string): Promise<Transitioned> {
    const changes = await this.db.transaction(async tx => {
      const current = await tx<SessionRow>('agents_sessions').where({ id }).first();
      if (!current) throw new NotFoundError(`No session with id ${id}`);
      if (current.kind === 'fanout') {
        throw new ConflictError(
          `Session ${id} is a fan-out: it runs nothing itself; resume the child sessions that need more work`,
        );
      }
      const from = current.status as SessionStatus;
      checkTransition(from, 'pending');
      const timestamp = DateTime.utc().toISO();
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
        throw new ConflictError(`Session ${id} changed while it was being resumed; try again`);
      }
      const previous = (await latestRun(tx, id))!;
      await tx<RunRow>('agents_runs').insert(
        newRunRow(id, previous.attempt + 1, 'resume', prompt, timestamp),
      );
      const resumed = [statusChange(current, 'pending')];
      if (current.parent_session_id) {
        resumed.push(...(await refreshFanOut(tx, this.reader, current.parent_session_id)));
      }
      return resumed;
    });
    this.announce(changes);
    return { session: (await this.reader.get(id))!, changes };
  }

  /**
   * Claims again the launch of a `starting` session whose launch was interrupted before its pod was
   * created (the replica that claimed it died): gives its latest run a new run token hash, and
   * touches the session so its launch grace starts over. Conditional on the session being exactly
   * as the caller saw it (`starting`, last updated at `seenUpdatedAt`), so one replica wins; returns
   * false when another writer changed it first. The status does not change: nothing is announced.
   */
  async reclaimLaunch(id: string, seenUpdatedAt: string, run: { runTokenHash: string }): Promise<boolean> {
    return this.db.transaction(async tx => {
      const updated = await tx<SessionRow>('agents_sessions')
        .where({ id, status: 'starting', updated_at: seenUpdatedAt })
        .update({ updated_at: DateTime.utc().toISO() });
      if (updated !== 1) return false;
      const latest = await latestRun(tx, id, true);
      await tx<RunRow>('agents_runs').where({ id: latest!.id }).update({ run_token_hash: run.runTokenHash });
      return true;
    });
  }

  /**
   * Whether the launch that set `runTokenHash` still holds the session's latest run: not taken over by
   * a relaunch (`reclaimLaunch` sets another hash) and still `starting`. A launch that lost it leaves
   * the run's objects and status to whoever holds it.
   */
  async holdsLaunch(id: string, runTokenHash: string): Promise<boolean> {
    const session = await this.db<SessionRow>('agents_sessions').where({ id }).first('status');
    if (session?.status !== 'starting') return false;
    const latest = await latestRun(this.db, id, false);
    return latest?.run_token_hash === runTokenHash;
  }

  /**
   * Keeps the harness's result line on its run as soon as it is read, before the pod ends, with its
   * usage and `costUsd`, what that usage cost at the harness's price now (kept, so that a later
   * price change rewrites no history).
   */
  async recordRunResult(
    runId: string,
    result: HarnessResult,
    options: { costUsd?: number } = {},
  ): Promise<void> {
    await this.db<RunRow>('agents_runs')
      .where({ id: runId })
      .update(resultColumns(result, options.costUsd));
  }
}

/**
 * Refuses to claim a held task of a fan-out in waves (its wave is above the fan-out's current wave):
 * whatever path tries to launch it, it stays pending until its wave comes.
 */
async function assertNotHeld(tx: Knex.Transaction, session: SessionRow) {
  if (session.wave === null || session.wave === undefined || !session.parent_session_id) return;
  const parent = await tx<SessionRow>('agents_sessions')
    .where({ id: session.parent_session_id })
    .first('current_wave');
  assertWaveCome(session.id, session.wave, session.parent_session_id, parent?.current_wave);
}

/** Refuses a task of a fan-out in waves whose wave is above the fan-out's current wave. */
function assertWaveCome(
  id: string,
  wave: number | string | null | undefined,
  parentId: string,
  currentWave: number | string | null | undefined,
) {
  if (wave === null || wave === undefined || currentWave === null || currentWave === undefined) return;
  if (Number(wave) > Number(currentWave)) {
    throw new ConflictError(
      `Session ${id} belongs to wave ${wave} of fan-out ${parentId}, which is at wave ${currentWave}; it starts when its wave does`,
    );
  }
}

/** The run columns a status change sets. */
function runFields(run: StatusChange['run'] = {}): Partial<RunRow> {
  const fields: Partial<RunRow> = {};
  if (run.exitCode !== undefined) fields.exit_code = run.exitCode;
  if (run.reason !== undefined) fields.reason = run.reason;
  if (run.result !== undefined) Object.assign(fields, resultColumns(run.result));
  if (run.podName !== undefined) fields.pod_name = run.podName;
  if (run.namespace !== undefined) fields.namespace = run.namespace;
  if (run.cluster !== undefined) fields.cluster = run.cluster;
  if (run.runTokenHash !== undefined) fields.run_token_hash = run.runTokenHash;
  if (run.inputBundleId !== undefined) fields.input_bundle_id = run.inputBundleId;
  return fields;
}
