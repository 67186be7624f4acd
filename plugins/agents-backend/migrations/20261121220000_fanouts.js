// @ts-check

/**
 * Fan-out sessions: a `fanout` session groups child sessions (e.g. one per spec-kit task) and runs
 * nothing itself. Existing sessions are agent sessions. A partial unique index lets only one unfinished
 * session push to a given branch of a repository, across replicas; finished sessions free the branch.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table
      .string('kind')
      .notNullable()
      .defaultTo('agent')
      .comment('agent: runs a harness; fanout: groups the sessions that name it as parent');
    table.unique(['repo_url', 'work_branch'], {
      indexName: 'agents_sessions_active_branch_idx',
      // Literal values: SQLite takes no bound parameters in an index's WHERE clause.
      predicate: knex.whereRaw("status in ('pending', 'starting', 'running')"),
      useConstraint: false,
    });
    table.index(['entity_owner_ref', 'status'], 'agents_sessions_owner_status_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.dropIndex(['entity_owner_ref', 'status'], 'agents_sessions_owner_status_idx');
    table.dropIndex(['repo_url', 'work_branch'], 'agents_sessions_active_branch_idx');
    table.dropColumn('kind');
  });
};
