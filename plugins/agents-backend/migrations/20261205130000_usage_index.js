// @ts-check

/**
 * Usage statistics select agent sessions by their creation day (a range of `created_at`, ISO 8601
 * strings that sort as times); without this index every request would read the whole table.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.index(['created_at'], 'agents_sessions_created_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.dropIndex(['created_at'], 'agents_sessions_created_idx');
  });
};
