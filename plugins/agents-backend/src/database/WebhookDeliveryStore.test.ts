import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

describeOnEachDatabase('WebhookDeliveryStore', t => {
  it('claims a delivery once, however often it is redelivered', async () => {
    const claims = await Promise.all([1, 2, 3].map(() => t.db.webhookDeliveries.claim('d-1', 'github.issues')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await t.db.webhookDeliveries.claim('d-1', 'github.issues')).toBe(false);
    expect(await t.db.webhookDeliveries.claim('d-2', 'github.issues')).toBe(true);
  });

  it('links a delivery to the session it started', async () => {
    const { session } = await t.db.sessions.createSession(newSessionInput());
    await t.db.webhookDeliveries.claim('d-3', 'github.issue_comment');
    await t.db.webhookDeliveries.recordSession('d-3', session.id);
    expect(await t.knex('agents_webhook_deliveries').where({ delivery_id: 'd-3' }).first()).toMatchObject({
      event: 'github.issue_comment',
      session_id: session.id,
    });
  });
});
