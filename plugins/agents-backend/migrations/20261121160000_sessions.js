// @ts-check

/**
 * Sessions, their harness runs, persisted log chunks and session bundles.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('agents_sessions', table => {
    table.comment('Durable agent sessions, one per prompt against an entity');
    // The auto-increment key orders listings (newest first) and backs keyset pagination.
    table.bigIncrements('seq');
    table.uuid('id').notNullable().unique();
    table.string('entity_ref').notNullable();
    table.string('entity_owner_ref').nullable();
    table.text('repo_url').notNullable();
    table.string('base_branch').nullable();
    table.string('work_branch').notNullable();
    table.string('harness').notNullable();
    table.text('prompt').notNullable();
    table.string('policy_name').notNullable();
    table.text('policy_snapshot').notNullable().comment('JSON');
    table.string('origin').notNullable();
    table.text('origin_ref').nullable().comment('JSON: template, task and step');
    table.string('created_by').notNullable();
    table.string('status').notNullable();
    table.string('idempotency_key').nullable();
    table.uuid('parent_session_id').nullable();
    table.text('pr_url').nullable();
    table.string('pr_state').nullable();
    table.string('head_commit').nullable();
    table.text('summary').nullable();
    table.uuid('bundle_id').nullable();
    table
      .bigInteger('log_seq')
      .notNullable()
      .defaultTo(0)
      .comment('The seq of the last persisted log line');
    table.string('created_at').notNullable().comment('ISO 8601, UTC');
    table.string('updated_at').notNullable();
    table.string('started_at').nullable();
    table.string('finished_at').nullable();

    table.index(['entity_ref', 'seq'], 'agents_sessions_entity_idx');
    table.index(['created_by', 'seq'], 'agents_sessions_creator_idx');
    table.index(['status', 'seq'], 'agents_sessions_status_idx');
    table.index(['parent_session_id'], 'agents_sessions_parent_idx');
    table.unique(['created_by', 'idempotency_key'], {
      indexName: 'agents_sessions_idempotency_idx',
    });
  });

  await knex.schema.createTable('agents_runs', table => {
    table.comment('Harness runs: one pod each, many per session');
    table.uuid('id').primary();
    table
      .uuid('session_id')
      .notNullable()
      .references('id')
      .inTable('agents_sessions')
      .onDelete('CASCADE');
    table.integer('attempt').notNullable();
    table.string('kind').notNullable();
    table.text('prompt').notNullable();
    table.string('pod_name').nullable();
    table.string('namespace').nullable();
    table.string('phase').notNullable();
    table.integer('exit_code').nullable();
    table.text('reason').nullable();
    table.text('result').nullable().comment('JSON of the AGENTS_RESULT line');
    table.string('created_at').notNullable();
    table.string('started_at').nullable();
    table.string('finished_at').nullable();
    table.unique(['session_id', 'attempt'], {
      indexName: 'agents_runs_session_attempt_idx',
    });
    table.index(['phase'], 'agents_runs_phase_idx');
  });

  await knex.schema.createTable('agents_log_chunks', table => {
    table.comment('Persisted session logs, a chunk of consecutive lines a row');
    table
      .uuid('session_id')
      .notNullable()
      .references('id')
      .inTable('agents_sessions')
      .onDelete('CASCADE');
    table.uuid('run_id').notNullable();
    table.bigInteger('first_seq').notNullable();
    table.bigInteger('last_seq').notNullable();
    table.text('lines').notNullable().comment('JSON array of [timestamp, line]');
    table.primary(['session_id', 'first_seq']);
    table.index(['session_id', 'last_seq'], 'agents_log_chunks_last_idx');
    table.index(['run_id'], 'agents_log_chunks_run_idx');
  });

  await knex.schema.createTable('agents_bundles', table => {
    table.comment('Snapshots of a harness state directory, one per finished run');
    table.uuid('id').primary();
    table
      .uuid('session_id')
      .notNullable()
      .references('id')
      .inTable('agents_sessions')
      .onDelete('CASCADE');
    table.uuid('run_id').nullable();
    table.string('digest').notNullable();
    table.bigInteger('size_bytes').notNullable();
    table.string('storage').notNullable().comment('database, s3, ...');
    table.text('location').nullable();
    table.binary('content').nullable();
    table.string('created_at').notNullable();
    table.index(['session_id'], 'agents_bundles_session_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('agents_bundles');
  await knex.schema.dropTable('agents_log_chunks');
  await knex.schema.dropTable('agents_runs');
  await knex.schema.dropTable('agents_sessions');
};
