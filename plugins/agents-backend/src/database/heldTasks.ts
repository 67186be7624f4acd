import type { Knex } from 'knex';

/**
 * Leaves out the held tasks of fan-outs that run in waves: tasks whose wave is above their fan-out's
 * current wave. They stay pending and are neither launched nor counted as waiting for a slot. A
 * correlated lookup of the parent by its primary key, so a 200-task fan-out costs one query, not 200.
 * `table` is the name (or alias) the query gives `agents_sessions`.
 */
export function whereNotHeld(query: Knex.QueryBuilder, table = 'agents_sessions'): Knex.QueryBuilder {
  return query.where(q =>
    q.whereNull(`${table}.wave`).orWhereNotExists(function heldBy(this: Knex.QueryBuilder) {
      this.select(1)
        .from('agents_sessions as held_parent')
        .whereRaw(`held_parent.id = ${table}.parent_session_id`)
        .whereRaw(`${table}.wave > held_parent.current_wave`);
    }),
  );
}
