import { TestDatabases, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';

/**
 * The databases every store and route test runs on: SQLite always, PostgreSQL when
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING points at a server (CI sets it).
 */
export const TEST_DATABASE_IDS: TestDatabaseId[] = ['SQLITE_3', 'POSTGRES_15'];

export function createTestDatabases() {
  const databases = TestDatabases.create({ ids: TEST_DATABASE_IDS, disableDocker: true });
  if (process.env.CI && !databases.supports('POSTGRES_15')) {
    throw new Error(
      'CI must run the store tests on PostgreSQL: set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
    );
  }
  return databases;
}

export function databaseServiceFor(knex: Knex): DatabaseService {
  return { getClient: async () => knex };
}
