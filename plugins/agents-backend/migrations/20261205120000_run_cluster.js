// @ts-check

/**
 * The cluster a run's pod runs on (agents.kubernetes.cluster or a policy's cluster), so the reconciler
 * of that cluster adopts it, also after a restart or a configuration change. Null: the default cluster.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_runs', table => {
    table.string('cluster').nullable().comment('The cluster the run was launched on; null: the default cluster');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_runs', table => {
    table.dropColumn('cluster');
  });
};
