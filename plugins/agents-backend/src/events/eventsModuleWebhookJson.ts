import { createBackendModule } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { HttpBodyParser } from '@backstage/plugin-events-node';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';

/**
 * The events backend's `application/json` parser for webhooks (GitHub's issue events reach the
 * agents' issue triggers through it), answering a body that is not JSON with a 400 instead of the
 * stock parser's 500: a malformed delivery is the sender's mistake, whoever sends it. The raw bytes
 * are handed on unchanged, so signatures are still checked on exactly what was sent.
 */
export const parseWebhookJson: HttpBodyParser = async (request, mediaType, topic) => {
  const bodyBuffer = request.body;
  if (!Buffer.isBuffer(bodyBuffer)) {
    throw new Error(`The raw body of the event for topic ${topic} was not kept (${typeof bodyBuffer})`);
  }
  const encoding = mediaType.parameters.charset ?? 'utf-8';
  if (!Buffer.isEncoding(encoding)) {
    throw new InputError(`The event's charset ${encoding} is not supported; send it as UTF-8`);
  }
  try {
    return { bodyParsed: JSON.parse(bodyBuffer.toString(encoding)), bodyBuffer, encoding };
  } catch (error) {
    throw new InputError(`The body of the event for topic ${topic} is not valid JSON: ${(error as Error).message}`);
  }
};

/** Installs {@link parseWebhookJson} for `application/json` events (`backend.add(...)` beside the events backend). */
export const eventsModuleWebhookJson = createBackendModule({
  pluginId: 'events',
  moduleId: 'agents-webhook-json',
  register(env) {
    env.registerInit({
      deps: { events: eventsExtensionPoint },
      async init({ events }) {
        events.addHttpPostBodyParser({ contentType: 'application/json', parser: parseWebhookJson });
      },
    });
  },
});
