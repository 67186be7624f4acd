// @ts-check

/**
 * Bundle chunks are gzip-compressed already: PostgreSQL stores them out of line without trying to
 * compress them again (storage EXTERNAL instead of the default EXTENDED). Existing rows stay as
 * they are and remain readable; the setting applies to rows written from now on. SQLite has no
 * such setting.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (!/^(pg|postgres(ql)?)$/.test(String(knex.client.config?.client))) return;
  await knex.raw('ALTER TABLE agents_bundle_chunks ALTER COLUMN data SET STORAGE EXTERNAL');
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (!/^(pg|postgres(ql)?)$/.test(String(knex.client.config?.client))) return;
  await knex.raw('ALTER TABLE agents_bundle_chunks ALTER COLUMN data SET STORAGE EXTENDED');
};
