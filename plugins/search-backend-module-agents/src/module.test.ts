import { agentsSessionReadPermission } from '@backstage-agents/plugin-agents-common';
import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  type EvaluatePermissionRequest,
} from '@backstage/plugin-permission-common';
import searchPlugin from '@backstage/plugin-search-backend';
import { FakeAgentsApi, makeSession } from '@backstage-agents/plugin-agents-common/testUtils';
import request from 'supertest';
import searchModuleAgentsCollator from './index';

/**
 * The module inside a real search backend (Lunr engine, the search plugin's permission filtering),
 * against a stand-in `agents` plugin that serves the spec-validated fake of the agents API. Only the
 * permission decisions are mocked: `agents.session.read` is conditional for the type and denied for
 * one session id, which is what a policy such as "creator or owner of the entity" yields for a user.
 */
describe('search module: agents collator', () => {
  const visible = makeSession(1, { prompt: 'Rename the zebrafish module', status: 'succeeded' });
  const hidden = makeSession(2, {
    prompt: 'Rotate the zebrafish credentials',
    status: 'succeeded',
    createdBy: 'user:default/mallory',
  });

  async function start() {
    const callers: string[] = [];
    const fakeAgents = createBackendPlugin({
      pluginId: 'agents',
      register(env) {
        env.registerInit({
          deps: { http: coreServices.httpRouter, httpAuth: coreServices.httpAuth },
          async init({ http, httpAuth }) {
            const fake = new FakeAgentsApi([hidden, visible]);
            http.use(async (req, _res, next) => {
              const credentials = await httpAuth.credentials(req, { allow: ['service'] });
              callers.push(credentials.principal.subject);
              next();
            });
            http.use(fake.handler);
          },
        });
      },
    });
    const authorizeRequests: EvaluatePermissionRequest[] = [];
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async requests =>
        requests.map(r => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'agents',
          resourceType: r.permission.resourceType,
          conditions: {
            rule: 'IS_SESSION_CREATOR',
            resourceType: 'agents-session',
            params: {},
          },
        })),
      authorize: async requests => {
        authorizeRequests.push(...requests);
        return requests.map(r => ({
          result:
            'resourceRef' in r && r.resourceRef === hidden.id
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        }));
      },
    });
    const scheduler = mockServices.scheduler();
    const backend = await startTestBackend({
      features: [
        searchPlugin,
        searchModuleAgentsCollator,
        fakeAgents,
        permissions.factory,
        // The search backend only filters results by permission when the framework is enabled.
        mockServices.rootConfig.factory({ data: { permission: { enabled: true } } }),
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
      ],
    });
    return { backend, scheduler, callers, authorizeRequests };
  }

  async function query(backend: Awaited<ReturnType<typeof start>>['backend'], term: string) {
    const res = await request(backend.server)
      .get('/api/search/query')
      .query({ term, types: ['agent-session'] })
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    // Until the first collation has finished, the index does not exist yet.
    if (res.body?.error?.name === 'MissingIndexError') return [];
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return res.body.results as Array<{ type: string; document: any }>;
  }

  it('indexes sessions and leaves out those the user may not read', async () => {
    const { backend, scheduler, callers, authorizeRequests } = await start();
    try {
      // Run the collation now rather than after its initial delay.
      const tasks = await scheduler.getScheduledTasks();
      const task = tasks.find(t => t.id === 'search_index_agent_session');
      expect(task).toBeDefined();
      await scheduler.triggerTask(task!.id);

      const results = await query(backend, 'zebrafish');
      expect(results.map(r => r.document.title)).toEqual(['Rename the zebrafish module']);
      expect(results[0]).toMatchObject({
        type: 'agent-session',
        document: {
          location: `/agents/sessions/${visible.id}`,
          status: 'succeeded',
          entityRef: 'component:default/payments-service',
        },
      });
      // The search backend keeps `authorization` for itself; it is not sent to the browser.
      expect(results[0].document.authorization).toBeUndefined();
      // The hidden session is in the index: it was filtered out per result by its resource ref.
      expect(authorizeRequests).toEqual(
        expect.arrayContaining([
          { permission: agentsSessionReadPermission, resourceRef: hidden.id },
          { permission: agentsSessionReadPermission, resourceRef: visible.id },
        ]),
      );
      // The agents API was called with the search plugin's own service credentials.
      expect(callers).toContain('plugin:search');
    } finally {
      await backend.stop();
    }
  });
});
