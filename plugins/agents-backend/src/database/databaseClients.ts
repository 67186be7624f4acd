import type { Knex } from 'knex';

/** Whether the database is PostgreSQL (knex client `pg`, `postgres` or `postgresql`). */
export function isPostgres(db: Knex): boolean {
  return /^(pg|postgres(ql)?)$/.test(String(db.client.config?.client));
}

/** Whether the database is SQLite (`better-sqlite3` or `sqlite3`). */
export function isSqlite(db: Knex): boolean {
  return /sqlite/.test(String(db.client.config?.client));
}
