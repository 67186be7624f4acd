// @ts-check

/**
 * Pull request bookkeeping: which head commit the session's pull request was last brought up to date
 * with, so a sync missed by a restart is caught up, and webhook deliveries already handled.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table
      .string('pr_synced_commit')
      .nullable()
      .comment('The head commit the pull request was last synced to (or skipped at)');
    table.text('issue_url').nullable().comment('The GitHub issue a webhook-triggered session works on');
  });
  await knex.schema.createTable('agents_webhook_deliveries', table => {
    table.comment('GitHub webhook deliveries already handled, so a redelivery launches nothing twice');
    table.string('delivery_id').primary();
    table.string('event').notNullable();
    table.uuid('session_id').nullable();
    table.string('received_at').notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('agents_webhook_deliveries');
  await knex.schema.alterTable('agents_sessions', table => {
    table.dropColumn('pr_synced_commit');
    table.dropColumn('issue_url');
  });
};
