import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { createTestDatabases, databaseServiceFor } from './testDatabases';

/** What a store test works on; set before its first test runs. */
export interface StoreTestContext {
  knex: Knex;
  db: AgentsDatabase;
  databaseId: TestDatabaseId;
}

/**
 * Runs a suite of store tests once on each test database (SQLite, and PostgreSQL where configured),
 * each on a migrated database whose sessions are deleted after every test.
 */
export function describeOnEachDatabase(title: string, suite: (t: StoreTestContext) => void): void {
  const databases = createTestDatabases();
  describe.each(databases.eachSupportedId())(`${title} on %p`, (databaseId: TestDatabaseId) => {
    const t = { databaseId } as StoreTestContext;
    beforeAll(async () => {
      t.knex = await databases.init(databaseId);
      t.db = await AgentsDatabase.create({ database: databaseServiceFor(t.knex) });
    });
    afterEach(async () => {
      await t.knex('agents_sessions').delete();
    });
    suite(t);
  });
}
