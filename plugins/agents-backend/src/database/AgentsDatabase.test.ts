import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import {
  createTestDatabases,
  databaseServiceFor,
} from '../__testUtils__/testDatabases';
import { MIGRATIONS_DIR } from './migrations';
import { AgentsDatabase } from './AgentsDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('AgentsDatabase on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await AgentsDatabase.create({ database: databaseServiceFor(knex) });
  });

  it('migrates down and up again', async () => {
    await knex.migrate.rollback(
      { directory: MIGRATIONS_DIR, tableName: 'agents_knex_migrations' },
      true,
    );
    for (const table of ['agents_sessions', 'agents_runs', 'agents_log_chunks', 'agents_bundles']) {
      expect(await knex.schema.hasTable(table)).toBe(false);
    }
    const db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    for (const table of ['agents_sessions', 'agents_runs', 'agents_log_chunks', 'agents_bundles']) {
      expect(await knex.schema.hasTable(table)).toBe(true);
    }
    // The stores work on the schema the migrations rebuilt.
    const { session } = await db.sessions.createSession(newSessionInput());
    expect((await db.sessions.getSession(session.id))?.runs).toHaveLength(1);
  });
});
