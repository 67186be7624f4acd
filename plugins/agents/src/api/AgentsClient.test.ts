import { createFetchApi, FetchMiddlewares } from '@backstage/core-app-api';
import { ResponseError } from '@backstage/errors';
import {
  FakeAgentsApi,
  makeSession,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { AgentsClient } from './AgentsClient';

describe('AgentsClient', () => {
  it("reaches the backend discovery names through the app's fetchApi", async () => {
    const fake = new FakeAgentsApi([makeSession(1)]);
    const fetch = jest.fn(fake.fetch);
    const getBaseUrl = jest.fn(fake.discoveryApi.getBaseUrl);
    const client = new AgentsClient({
      discoveryApi: { getBaseUrl },
      fetchApi: { fetch },
    });
    expect((await client.getSession(fake.sessions[0].id)).id).toBe(
      fake.sessions[0].id,
    );
    expect(getBaseUrl).toHaveBeenCalledWith('agents');
    expect(fetch.mock.calls[0][0]).toBe(
      `http://agents.test/api/agents/sessions/${fake.sessions[0].id}`,
    );
  });

  it("rejects with a ResponseError that carries the server's message", async () => {
    const fake = new FakeAgentsApi(0);
    fake.fail('CreateSession', 400, 'InputError', 'Prompt must not be blank');
    const client = new AgentsClient({
      discoveryApi: fake.discoveryApi,
      fetchApi: fake,
    });
    const error = await client
      .createSession({ entityRef: 'component:default/a', prompt: ' ' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.body.error.message).toBe('Prompt must not be blank');
  });

  it("sends bodies through the app's fetch middlewares, which rebuild each request", async () => {
    const fake = new FakeAgentsApi(0);
    // The app's own fetchApi: plugin:// resolution and the user's token, each rebuilding the request.
    const fetchApi = createFetchApi({
      baseImplementation: fake.fetch,
      middleware: [
        FetchMiddlewares.resolvePluginProtocol({ discoveryApi: fake.discoveryApi }),
        FetchMiddlewares.injectIdentityAuth({
          identityApi: { getCredentials: async () => ({ token: 'user-token' }) } as any,
          allowUrl: () => true,
        }),
      ],
    });
    const client = new AgentsClient({ discoveryApi: fake.discoveryApi, fetchApi });
    const session = await client.createSession({
      entityRef: 'component:default/payments',
      prompt: 'Add refunds',
    });
    expect(session.prompt).toBe('Add refunds');
    const [request] = fake.requestsOf('CreateSession');
    expect(request.body).toEqual({ entityRef: 'component:default/payments', prompt: 'Add refunds' });
    expect(request.authorization).toBe('Bearer user-token');
  });
});
