// @ts-check

/**
 * Indexes for an entity's session list with the filters the UI offers, so that a page reads about a
 * page of index entries even when the entity has a million sessions: by status (newest first within
 * each status; several statuses are merged from one walk each) and by creator ("my sessions").
 * Without them the list walks the entity's sessions newest first and skips every one that does not
 * match, which for a rare status means reading all of them.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.index(['entity_ref', 'status', 'seq'], 'agents_sessions_entity_status_idx');
    table.index(['entity_ref', 'created_by', 'seq'], 'agents_sessions_entity_creator_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('agents_sessions', table => {
    table.dropIndex(['entity_ref', 'created_by', 'seq'], 'agents_sessions_entity_creator_idx');
    table.dropIndex(['entity_ref', 'status', 'seq'], 'agents_sessions_entity_status_idx');
  });
};
