import {
  resolvePackagePath,
  type DatabaseService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@backstage-agents/plugin-agents-backend',
  'migrations',
);

/** Brings the plugin's tables up to date unless the deployment manages migrations itself. */
export async function applyDatabaseMigrations(
  database: DatabaseService,
  client: Knex,
): Promise<void> {
  if (database.migrations?.skip) {
    return;
  }
  await client.migrate.latest({
    directory: migrationsDir,
    tableName: 'agents_knex_migrations',
  });
}

/** Where the migrations live; exported for the migration tests. */
export const MIGRATIONS_DIR = migrationsDir;
