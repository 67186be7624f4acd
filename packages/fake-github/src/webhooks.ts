import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { WebhookDelivery, WebhookTarget } from './model';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, the value of `X-Hub-Signature-256`. */
export function signWebhookPayload(
  secret: string,
  body: string | Buffer,
): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Checks an `X-Hub-Signature-256` value in constant time. */
export function verifyWebhookSignature(
  secret: string,
  body: string | Buffer,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signWebhookPayload(secret, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

const DELIVERY_TIMEOUT_MS = 10_000;

/** Sends webhook deliveries to one target and keeps the record of each attempt. */
export class WebhookSender {
  readonly deliveries: WebhookDelivery[] = [];
  target?: WebhookTarget;

  constructor(
    target: WebhookTarget | undefined,
    private readonly hookId: number,
  ) {
    this.target = target;
  }

  /** Sends an event; resolves with the delivery record (also when the target failed), or undefined when no target is set. */
  async send(
    event: string,
    payload: Record<string, any>,
    installationTarget?: { id: number; type: string },
  ): Promise<WebhookDelivery | undefined> {
    if (!this.target) return undefined;
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/fake',
      'x-github-event': event,
      'x-github-delivery': randomUUID(),
      'x-github-hook-id': String(this.hookId),
    };
    if (installationTarget) {
      headers['x-github-hook-installation-target-id'] = String(
        installationTarget.id,
      );
      headers['x-github-hook-installation-target-type'] =
        installationTarget.type;
    }
    if (this.target.secret) {
      headers['x-hub-signature'] = `sha1=${createHmac(
        'sha1',
        this.target.secret,
      )
        .update(body)
        .digest('hex')}`;
      headers['x-hub-signature-256'] = signWebhookPayload(
        this.target.secret,
        body,
      );
    }
    return this.post(this.target.url, event, payload, body, headers, false);
  }

  /** Sends a recorded delivery again: same delivery id, same body, same signature. */
  async redeliver(deliveryId: string): Promise<WebhookDelivery | undefined> {
    const original = this.deliveries.find(d => d.id === deliveryId);
    if (!original) return undefined;
    return this.post(
      this.target?.url ?? original.url,
      original.event,
      original.payload,
      original.body,
      original.requestHeaders,
      true,
    );
  }

  private async post(
    url: string,
    event: string,
    payload: any,
    body: string,
    headers: Record<string, string>,
    redelivery: boolean,
  ): Promise<WebhookDelivery> {
    const started = Date.now();
    const delivery: WebhookDelivery = {
      id: headers['x-github-delivery'],
      event,
      action: payload.action,
      url,
      body,
      payload,
      requestHeaders: headers,
      redelivery,
      deliveredAt: new Date(started).toISOString(),
      durationMs: 0,
    };
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      delivery.status = response.status;
      delivery.responseBody = (await response.text()).slice(0, 10_000);
    } catch (error) {
      delivery.error = String((error as Error)?.message ?? error);
    }
    delivery.durationMs = Date.now() - started;
    this.deliveries.push(delivery);
    return delivery;
  }
}
