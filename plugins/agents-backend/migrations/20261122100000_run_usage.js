// @ts-check

/**
 * Token usage per run, from the `usage` of its AGENTS_RESULT line, and its cost in US dollars when the
 * harness had a configured price as the usage was recorded (so a later price change rewrites no
 * history). Real columns, so that a session's totals are summed in SQL. Null: not reported, or no price.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_runs', table => {
    table.bigInteger('input_tokens').nullable().comment('Input tokens the harness reported');
    table.bigInteger('output_tokens').nullable().comment('Output tokens the harness reported');
    table
      .decimal('cost_usd', 18, 6)
      .nullable()
      .comment("The tokens' cost in US dollars at the harness's price when recorded");
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_runs', table => {
    table.dropColumn('input_tokens');
    table.dropColumn('output_tokens');
    table.dropColumn('cost_usd');
  });
};
