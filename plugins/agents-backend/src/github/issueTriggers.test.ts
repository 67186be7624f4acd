import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startFakeGitHub, signWebhookPayload, type FakeGitHub } from '@backstage-agents/fake-github';
import type { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import { agentsPlugin } from '../plugin';
import { waitFor } from '../__testUtils__/simulatedCluster';

jest.setTimeout(60_000);

/**
 * The GitHub events module's two features (signature-checked webhook ingress, and the router to
 * github.<event> topics). Its package entry loads them with a dynamic import, which Jest's CommonJS
 * runtime cannot follow, so they are required from its files directly.
 */
function githubEventsModules() {
  const dir = path.join(
    path.dirname(require.resolve('@backstage/plugin-events-backend-module-github/package.json')),
    'dist/service',
  );
  return ['eventsModuleGithubWebhook', 'eventsModuleGithubEventRouter'].map(
    name => require(path.join(dir, `${name}.cjs.js`)).default,
  );
}

const SECRET = 'webhook-secret';
const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments', namespace: 'default', annotations: { 'github.com/project-slug': 'example-org/payments' } },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};
const octocat: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'mona', namespace: 'default', annotations: { 'github.com/user-login': 'octocat' } },
  spec: {},
};

/**
 * GitHub webhook deliveries from the fake GitHub, through Backstage's events backend and its GitHub
 * module (signature verification, routing to github.<event> topics), into sessions.
 */
describe('sessions started from GitHub issues', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let github: FakeGitHub;
  let knex: Knex;
  let server: any;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    github = await startFakeGitHub({ reposDir: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-hooks-')) });
    await github.createRepo('example-org', 'payments');
    await github.createRepo('example-org', 'unknown-to-the-catalog');
    knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        eventsPlugin,
        ...githubEventsModules(),
        mockServices.database.factory({ knex }),
        // The real events service: one in-process bus shared by the events plugin and agents.
        eventsServiceFactory,
        catalogServiceMock.factory({ entities: [entity, octocat] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: { events: { modules: { github: { webhookSecret: SECRET } } } },
        }),
      ],
    });
    server = backend.server;
    stop = () => backend.stop();
    github.setWebhook({ url: `http://127.0.0.1:${server.port()}/api/events/http/github`, secret: SECRET });
  });

  afterAll(async () => {
    await stop?.();
    await github?.stop();
  });

  const sessions = async () =>
    (await knex('agents_sessions').select('id', 'origin', 'issue_url', 'prompt', 'created_by', 'entity_ref'));

  it('launches one session for an issue labelled for agents, and none for a redelivery', async () => {
    const { issue } = await github.createIssue('example-org', 'payments', {
      title: 'Refunds fail for partial captures',
      body: 'Steps: capture 50%, refund 50%.',
      labels: ['bug', 'agents'],
    });
    const [created] = await waitFor('a session from the issue', async () => {
      const rows = await sessions();
      return rows.length ? rows : undefined;
    });
    expect(created).toMatchObject({
      origin: 'webhook',
      issue_url: issue.html_url,
      entity_ref: 'component:default/payments',
      created_by: 'user:default/mona',
    });
    expect(created.prompt).toContain('Resolve GitHub issue #');
    expect(created.prompt).toContain('Refunds fail for partial captures');
    expect(created.prompt).toContain('Steps: capture 50%, refund 50%.');

    const labelled = github.state.deliveries().filter(d => d.action === 'labeled' && d.payload.label.name === 'agents');
    expect(labelled).toHaveLength(1);
    const again = await github.redeliver(labelled[0].id);
    expect(again.status).toBeLessThan(300);
    expect(again.id).toBe(labelled[0].id);
    await new Promise(r => setTimeout(r, 500));
    expect(await sessions()).toHaveLength(1);
  });

  it('launches a session for a /agent comment with its instruction, and ignores other comments', async () => {
    const before = (await sessions()).length;
    const { issue } = await github.createIssue('example-org', 'payments', { title: 'Slow ledger export' });
    await github.addComment('example-org', 'payments', issue.number, 'Any news?');
    await github.addComment('example-org', 'payments', issue.number, '/agent stream the export instead');
    const rows = await waitFor('a session from the comment', async () => {
      const all = await sessions();
      return all.length > before ? all : undefined;
    });
    await new Promise(r => setTimeout(r, 500));
    expect(await sessions()).toHaveLength(before + 1);
    expect(rows[rows.length - 1].prompt).toContain('stream the export instead');
  });

  it('refuses a delivery with a bad signature and starts nothing', async () => {
    const before = (await sessions()).length;
    const body = JSON.stringify({
      action: 'labeled',
      label: { name: 'agents' },
      issue: { number: 99, title: 'Forged', body: '', html_url: 'https://github.com/example-org/payments/issues/99' },
      repository: { full_name: 'example-org/payments' },
      sender: { login: 'mallory' },
    });
    const res = await request(server)
      .post('/api/events/http/github')
      .set('content-type', 'application/json')
      .set('x-github-event', 'issues')
      .set('x-github-delivery', 'forged-1')
      .set('x-hub-signature-256', signWebhookPayload('not-the-secret', body))
      .send(body);
    expect(res.status).toBe(403);
    await new Promise(r => setTimeout(r, 300));
    expect(await sessions()).toHaveLength(before);
  });

  it('starts nothing for a repository no catalog entity names', async () => {
    const before = (await sessions()).length;
    await github.createIssue('example-org', 'unknown-to-the-catalog', { title: 'Anything', labels: ['agents'] });
    await waitFor('the delivery to be recorded', async () =>
      (await knex('agents_webhook_deliveries').count({ n: '*' }))[0].n as number >= 3 ? true : undefined,
    );
    await new Promise(r => setTimeout(r, 300));
    expect(await sessions()).toHaveLength(before);
  });
});
