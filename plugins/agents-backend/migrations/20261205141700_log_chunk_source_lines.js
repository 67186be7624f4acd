// @ts-check

/**
 * How many lines of the pod's log a chunk accounts for, when that differs from the lines it holds:
 * lines dropped by the policy's log limit are counted (so a follower that resumes after a restart
 * skips them too), the notice saying so is not. Null means the chunk's own line count.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_log_chunks', table => {
    table.integer('source_lines').nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_log_chunks', table => {
    table.dropColumn('source_lines');
  });
};
