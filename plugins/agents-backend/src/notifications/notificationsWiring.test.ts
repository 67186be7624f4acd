import { createServiceFactory } from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import { notificationService, type NotificationSendOptions } from '@backstage/plugin-notifications-node';
import request from 'supertest';
import { asJane, configWithPolicies, JANE, startBackend } from '../__testUtils__/agentsTestBackend';

jest.setTimeout(60_000);

// The plugin's wiring: a status the API's write sets reaches the notifier, through the event hub and
// after the pull-request sync. (No cluster here: sessions stay pending until cancelled.)
describe('the agents plugin notifies session ends', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });

  it("sends the creator's notification through the notification service, as the policy asks", async () => {
    const sent: NotificationSendOptions[] = [];
    const notifications = createServiceFactory({
      service: notificationService,
      deps: {},
      factory: () => ({ send: async (options: NotificationSendOptions) => void sent.push(options) }),
    });
    const { server } = await startBackend(await databases.init('SQLITE_3'), {
      features: [notifications],
      config: {
        app: { baseUrl: 'http://localhost:3000' },
        ...configWithPolicies({ default: { notifications: { on: ['cancelled'] } } }),
      },
    });
    const { body: session } = await request(server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'payments', prompt: 'Add a refund endpoint' });
    expect(session.policy.snapshot.notifications).toEqual({ enabled: true, on: ['cancelled'] });
    const launchOptions = await request(server).get('/api/agents/launch-options?entityRef=payments').set(asJane);
    expect(launchOptions.body.policy.notifications).toEqual({ enabled: true, on: ['cancelled'] });

    await request(server).post(`/api/agents/sessions/${session.id}/cancel`).set(asJane).expect(200);
    await waitFor(() => sent.length > 0);
    expect(sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: JANE },
        payload: expect.objectContaining({
          title: 'Agent session was cancelled on payments',
          link: `http://localhost:3000/agents/sessions/${session.id}`,
        }),
      },
    ]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}
