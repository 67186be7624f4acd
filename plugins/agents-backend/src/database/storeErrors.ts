import { assertTransition, type SessionStatus } from '@backstage-agents/plugin-agents-common';
import { ConflictError } from '@backstage/errors';

/** Turns the status model's refusal into a 409 for callers. */
export function checkTransition(from: SessionStatus, to: SessionStatus) {
  try {
    assertTransition(from, to);
  } catch (error) {
    throw new ConflictError((error as Error).message);
  }
}

/** A second unfinished session on a repository's branch (the partial unique index of the fan-out migration). */
export function isBranchViolation(error: unknown): boolean {
  const message = (error as { message?: string })?.message ?? '';
  return (
    isUniqueViolation(error) &&
    (message.includes('agents_sessions_active_branch_idx') || message.includes('agents_sessions.work_branch'))
  );
}

/** A write refused by a unique index or primary key, on PostgreSQL or SQLite. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    /unique constraint/i.test(e?.message ?? '')
  );
}
