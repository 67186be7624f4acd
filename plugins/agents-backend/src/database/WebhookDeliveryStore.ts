import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { isUniqueViolation } from './storeErrors';

/** Webhook deliveries already handled, so a redelivery or a duplicate starts nothing twice. */
export class WebhookDeliveryStore {
  constructor(private readonly db: Knex) {}

  /** Records a delivery; false when it was recorded before. */
  async claim(deliveryId: string, event: string): Promise<boolean> {
    try {
      await this.db('agents_webhook_deliveries').insert({
        delivery_id: deliveryId,
        event,
        session_id: null,
        received_at: DateTime.utc().toISO(),
      });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** Links a delivery to the session it started. */
  async recordSession(deliveryId: string, sessionId: string): Promise<void> {
    await this.db('agents_webhook_deliveries')
      .where({ delivery_id: deliveryId })
      .update({ session_id: sessionId });
  }
}
