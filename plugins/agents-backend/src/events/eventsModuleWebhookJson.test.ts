import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import request from 'supertest';
import { eventsModuleWebhookJson } from './eventsModuleWebhookJson';
import { githubEventsModules } from '../__testUtils__/fuzz/githubEventsModules';

describe('eventsModuleWebhookJson', () => {
  it('answers a webhook whose body is not JSON with a 400, and still checks signatures', async () => {
    const backend = await startTestBackend({
      features: [
        eventsPlugin,
        ...githubEventsModules(),
        eventsModuleWebhookJson,
        mockServices.rootConfig.factory({
          data: { events: { modules: { github: { webhookSecret: 'secret' } } } },
        }),
      ],
    });
    try {
      const malformed = await request(backend.server)
        .post('/api/events/http/github')
        .set('content-type', 'application/json')
        .set('x-github-event', 'issues')
        .send('{"action": "opened",');
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toMatchObject({ name: 'InputError' });
      expect(malformed.body.error.message).toContain('is not valid JSON');

      const unsigned = await request(backend.server)
        .post('/api/events/http/github')
        .set('content-type', 'application/json')
        .set('x-github-event', 'issues')
        .send({ action: 'opened' });
      expect(unsigned.status).toBeGreaterThanOrEqual(400);
      expect(unsigned.status).toBeLessThan(500);
    } finally {
      await backend.stop();
    }
  });
});
