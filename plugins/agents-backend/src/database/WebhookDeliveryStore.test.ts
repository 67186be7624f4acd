import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { AgentsDatabase } from './AgentsDatabase';

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('WebhookDeliveryStore on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let db: AgentsDatabase;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
  });

  it('claims a delivery once, however often it is redelivered', async () => {
    const claims = await Promise.all([1, 2, 3].map(() => db.webhookDeliveries.claim('d-1', 'github.issues')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await db.webhookDeliveries.claim('d-1', 'github.issues')).toBe(false);
    expect(await db.webhookDeliveries.claim('d-2', 'github.issues')).toBe(true);
  });

  it('links a delivery to the session it started', async () => {
    const { session } = await db.sessions.createSession(newSessionInput());
    await db.webhookDeliveries.claim('d-3', 'github.issue_comment');
    await db.webhookDeliveries.recordSession('d-3', session.id);
    expect(await knex('agents_webhook_deliveries').where({ delivery_id: 'd-3' }).first()).toMatchObject({
      event: 'github.issue_comment',
      session_id: session.id,
    });
  });
});
