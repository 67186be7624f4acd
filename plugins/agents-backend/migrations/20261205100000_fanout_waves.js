// @ts-check

/**
 * Fan-outs that run in waves. On the fan-out: the integration branch its tasks start from and are
 * merged into, the wave that may run now, and why later waves will not start. On a task: its wave;
 * it stays pending (held) while its wave is above its fan-out's current wave.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table
      .string('integration_branch')
      .nullable()
      .comment('Fan-out in waves: the branch its tasks start from and are merged into');
    table
      .integer('current_wave')
      .nullable()
      .comment('Fan-out in waves: the wave whose tasks may run now, from 1');
    table
      .text('wave_error')
      .nullable()
      .comment('Fan-out in waves: why its later waves will not start');
    table.integer('wave').nullable().comment("Task of a fan-out in waves: the task's wave");
    // A fan-out's tasks by wave: finding a wave's tasks and the held ones stays cheap for large fan-outs.
    table.index(['parent_session_id', 'wave'], 'agents_sessions_parent_wave_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.dropIndex(['parent_session_id', 'wave'], 'agents_sessions_parent_wave_idx');
    table.dropColumn('integration_branch');
    table.dropColumn('current_wave');
    table.dropColumn('wave_error');
    table.dropColumn('wave');
  });
};
