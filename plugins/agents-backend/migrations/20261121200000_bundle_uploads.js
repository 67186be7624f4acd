// @ts-check

/**
 * Streamed bundle uploads: bundle content moves to a bundle store (chunked rows here by default),
 * bundles get an upload state, and runs record the hash of their run token, the bundle they
 * restore and the bundle they uploaded.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_bundles', table => {
    table.dropColumn('content');
    table
      .string('state')
      .notNullable()
      .defaultTo('complete')
      .comment('uploading until its content is stored and verified, then complete');
  });
  await knex.schema.alterTable('agents_bundles', table => {
    table.index(['state', 'created_at'], 'agents_bundles_state_idx');
  });

  await knex.schema.createTable('agents_bundle_chunks', table => {
    table.comment('Content of bundles kept by the database bundle store, in order');
    table.string('bundle_key').notNullable();
    table.integer('seq').notNullable();
    table.binary('data').notNullable();
    table.primary(['bundle_key', 'seq']);
  });

  await knex.schema.alterTable('agents_runs', table => {
    table
      .string('run_token_hash')
      .nullable()
      .comment('sha256 of the token the run authenticates its bundle transfers with; never the token');
    table.uuid('input_bundle_id').nullable().comment('The bundle this run restores');
    table.uuid('bundle_id').nullable().comment('The bundle this run uploaded');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_runs', table => {
    table.dropColumn('run_token_hash');
    table.dropColumn('input_bundle_id');
    table.dropColumn('bundle_id');
  });
  await knex.schema.dropTable('agents_bundle_chunks');
  await knex.schema.alterTable('agents_bundles', table => {
    table.dropIndex(['state', 'created_at'], 'agents_bundles_state_idx');
  });
  await knex.schema.alterTable('agents_bundles', table => {
    table.dropColumn('state');
    table.binary('content').nullable();
  });
};
