// @ts-check

/**
 * Named leases, each held by one replica at a time (the reconciler's). `expires_at` is in
 * milliseconds since the epoch by the database's clock, so replicas' clocks need not agree.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('agents_leases', table => {
    table.string('name').primary();
    table.string('holder').notNullable();
    table.bigInteger('expires_at').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('agents_leases');
};
