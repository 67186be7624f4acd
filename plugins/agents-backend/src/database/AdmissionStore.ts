import { NotFoundError } from '@backstage/errors';
import { ACTIVE_STATUSES } from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { isPostgres } from './databaseClients';
import { whereNotHeld } from './heldTasks';
import type { SessionRow } from './sessionRows';

/** What a concurrency cap counts over. */
export type ConcurrencyScope = 'entity' | 'owner' | 'policy';

/** A scope's load as a session's admission sees it. */
export interface ScopeLoad {
  active: number;
  waitingBefore: number;
}

const SCOPE_COLUMNS = {
  entity: 'entity_ref',
  owner: 'entity_owner_ref',
  policy: 'policy_name',
} as const;
/** What a session's admission counts by: the values of its scopes, fixed when it was created. */
export interface AdmissionSubject {
  id: string;
  entityRef: string;
  entityOwnerRef?: string;
  policyName: string;
}

/** The advisory lock key that serializes admissions under concurrency caps across replicas ("agents" in ASCII). */
const ADMISSION_LOCK_KEY = 0x6167656e7473;

/** The counts that concurrency caps are checked against, and the lock that keeps a check and its claim together. */
export class AdmissionStore {
  constructor(private readonly db: Knex) {}

  /**
   * The load a session's concurrency caps are checked against, in each scope (its entity, its entity's
   * owner, its policy): agent sessions active (starting or running) and those waiting ahead of it
   * (pending, created before it, not held for a later wave of their fan-out). One query for all
   * three scopes, as it runs for every launch; the launcher passes the session's scope values (given
   * an id, they are read first), its place in the queue is a lookup inside the query. A scope is absent when the session has nothing
   * to count it by (an entity without owner).
   */
  async concurrency(
    sessionOrId: AdmissionSubject | string,
  ): Promise<Partial<Record<ConcurrencyScope, ScopeLoad>>> {
    const session = typeof sessionOrId === 'string' ? await this.subject(sessionOrId) : sessionOrId;
    const values: Record<ConcurrencyScope, string | undefined> = {
      entity: session.entityRef,
      owner: session.entityOwnerRef,
      policy: session.policyName,
    };
    const scopes = (Object.keys(SCOPE_COLUMNS) as ConcurrencyScope[]).filter(scope => values[scope]);
    if (scopes.length === 0) return {};
    const sums: string[] = [];
    const bindings: Array<string | number> = [];
    for (const scope of scopes) {
      const value = values[scope]!;
      sums.push(
        `sum(case when ${SCOPE_COLUMNS[scope]} = ? and status in ('starting', 'running') then 1 else 0 end) as ${scope}_active`,
        `sum(case when ${SCOPE_COLUMNS[scope]} = ? and status = 'pending' and seq < (select seq from agents_sessions where id = ?) then 1 else 0 end) as ${scope}_waiting`,
      );
      bindings.push(value, value, session.id);
    }
    // Held tasks of fan-outs in waves wait for their wave, not for a slot: they are not ahead of anyone.
    const counts = await whereNotHeld(this.db('agents_sessions'))
      .where({ kind: 'agent' })
      .whereIn('status', ACTIVE_STATUSES)
      .where(q => {
        for (const scope of scopes) q.orWhere(SCOPE_COLUMNS[scope], values[scope]!);
      })
      .first(this.db.raw(sums.join(', '), bindings));
    return Object.fromEntries(
      scopes.map(scope => [
        scope,
        {
          active: Number(counts?.[`${scope}_active`] ?? 0),
          waitingBefore: Number(counts?.[`${scope}_waiting`] ?? 0),
        },
      ]),
    );
  }

  /** A stored session's scope values, for callers that hold only its id. */
  private async subject(id: string): Promise<AdmissionSubject> {
    const row = await this.db<SessionRow>('agents_sessions')
      .where({ id })
      .first('entity_ref', 'entity_owner_ref', 'policy_name');
    if (!row) throw new NotFoundError(`No session with id ${id}`);
    return {
      id,
      entityRef: row.entity_ref,
      entityOwnerRef: row.entity_owner_ref ?? undefined,
      policyName: row.policy_name,
    };
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
}
