import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  coreServices,
  createServiceFactory,
  type LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  generateAppKeyPair,
  startFakeGitHub,
  type FakeGitHub,
} from '@backstage-agents/fake-github';
import type { Knex } from 'knex';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { agentsPlugin } from '../plugin';
import {
  startSimulatedCluster,
  waitFor,
  type SimulatedCluster,
} from '../__testUtils__/simulatedCluster';

jest.setTimeout(180_000);

const execFileAsync = promisify(execFile);

const IMAGE = 'ghcr.io/backstage-agents/harness:test';
const ENTRYPOINT = path.resolve(__dirname, '../../../../images/harness/entrypoint/main.js');
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

const component = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

/** Everything the backend logs, to check that no token ever reaches it. */
const backendLog: string[] = [];
const recordingLogger = (): LoggerService => {
  const record = (level: string) => (message: string, meta?: unknown) =>
    backendLog.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
  const logger: LoggerService = {
    error: record('error') as any,
    warn: record('warn') as any,
    info: record('info') as any,
    debug: record('debug') as any,
    child: () => logger,
  };
  return logger;
};

/**
 * Sessions against a fake GitHub (REST API under /api/v3, as GitHub Enterprise Server serves it, and
 * git over smart HTTP), with the real harness entrypoint running the demo agent under the cluster
 * simulator: repo-scoped tokens, pushes, pull requests, and GitHub's errors.
 */
describe('sessions against GitHub', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let github: FakeGitHub;
  let cluster: SimulatedCluster;
  let knex: Knex;
  let server: any;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const key = generateAppKeyPair();
    const wrongKey = generateAppKeyPair();
    github = await startFakeGitHub({
      reposDir: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-github-')),
      apps: [
        {
          appId: 4242,
          privateKeyPem: key.privateKeyPem,
          installations: [{ id: 77, account: 'example-org', repositories: 'all' }],
        },
      ],
    });
    await github.createRepo('example-org', 'payments');
    await github.createRepo('example-org', 'ledger');

    cluster = await startSimulatedCluster({
      images: { [IMAGE]: [process.execPath, ENTRYPOINT] },
    });
    knex = await databases.init('SQLITE_3');
    const host = `127.0.0.1:${github.port}`;
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        schedulerServiceFactory,
        createServiceFactory({ service: coreServices.rootLogger, deps: {}, factory: recordingLogger }),
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({
          entities: [
            component('payments', { 'github.com/project-slug': 'example-org/payments' }),
            component('ghost', { 'github.com/project-slug': 'example-org/ghost' }),
            // The same server under another host name, configured with a key GitHub does not know.
            component('misconfigured', {
              'backstage.io/source-location': `url:http://localhost:${github.port}/example-org/payments/tree/main/`,
            }),
          ],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            app: { baseUrl: 'https://backstage.example.com' },
            integrations: {
              github: [
                {
                  host,
                  apiBaseUrl: github.enterpriseApiUrl,
                  apps: [
                    { appId: 4242, privateKey: key.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' },
                  ],
                },
                {
                  host: `localhost:${github.port}`,
                  apiBaseUrl: `http://localhost:${github.port}/api/v3`,
                  apps: [
                    { appId: 4242, privateKey: wrongKey.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' },
                  ],
                },
              ],
            },
            agents: {
              kubernetes: {
                kubeconfig: cluster.kubeconfigPath,
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                finishedPodTtl: { seconds: 0 },
              },
              git: { rewrites: [{ from: 'https://github.com/example-org/', to: `http://${host}/example-org/` }] },
              harnesses: { demo: { enabled: true } },
              policies: {
                default: { allowedHarnesses: ['demo'], defaultHarness: 'demo', timeout: { seconds: 90 } },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });

  afterAll(async () => {
    await stopBackend?.();
    await cluster?.stop();
    await github?.stop();
  });

  const launch = async (entityRef: string, prompt: string) => {
    const res = await request(server).post('/api/agents/sessions').set(auth).send({ entityRef, prompt });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const get = async (id: string) => (await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body;
  const untilFinished = (id: string) =>
    waitFor(`session ${id} to finish`, async () => {
      const body = await get(id);
      return ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(body.status) ? body : undefined;
    }, 120_000);
  const logText = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq'))
      .flatMap(chunk => JSON.parse(chunk.lines).map(([, line]: [string, string]) => line))
      .join('\n');
  const untilLog = (id: string, text: string) =>
    waitFor(`"${text}" in the log of ${id}`, async () => ((await logText(id)).includes(text) ? true : undefined));
  /** The pods and secrets the runtime made for one session. */
  const managedObjects = async (sessionId: string) => {
    const labelSelector = `app.kubernetes.io/managed-by=backstage-agents,agents.backstage.io/session=${sessionId}`;
    const selector = { namespace: 'agents', labelSelector };
    const [pods, secrets] = await Promise.all([
      cluster.core.listNamespacedPod(selector),
      cluster.core.listNamespacedSecret(selector),
    ]);
    return pods.items.length + secrets.items.length;
  };

  let firstSessionId: string;

  it('pushes with a token scoped to the one repository, opens a pull request, and a resume adds to it', async () => {
    const id = await launch('payments', 'Add a refund endpoint');
    firstSessionId = id;
    const first = await untilFinished(id);
    expect(first.status).toBe('succeeded');
    await untilLog(id, 'Opened pull request #');
    const opened = await get(id);
    expect(opened.prUrl).toMatch(/\/example-org\/payments\/pull\/\d+$/);
    expect(opened.prState).toBe('open');

    const tokens = github.state.tokens();
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      expect(token).toMatchObject({ repositorySelection: 'selected', repositories: ['payments'] });
      expect(token.permissions).toEqual(
        expect.objectContaining({ contents: expect.stringMatching(/read|write/) }),
      );
    }
    expect(tokens.some(t => t.permissions.contents === 'write' && t.permissions.pull_requests === 'write')).toBe(true);

    const pulls = (await github.state.pulls()).filter(p => p.repo === 'payments');
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ draft: true, state: 'open' });
    expect(pulls[0].body).toContain(`https://backstage.example.com/agents/sessions/${id}`);

    const resumed = await request(server).post(`/api/agents/sessions/${id}/resume`).set(auth).send({ prompt: 'Add tests too' });
    expect(resumed.status).toBe(200);
    const second = await untilFinished(id);
    expect(second.status).toBe('succeeded');
    await untilLog(id, 'Updated pull request #');
    const after = (await github.state.pulls()).filter(p => p.repo === 'payments');
    expect(after).toHaveLength(1);
    expect((await get(id)).prUrl).toBe(opened.prUrl);
    const repoDir = github.state.repos().find(r => r.name === 'payments')!.dir;
    const commits = execFileSync('git', ['rev-list', '--count', `main..${second.workBranch}`], { cwd: repoDir, encoding: 'utf8' });
    expect(Number(commits)).toBe(2);
  });

  it('never shows a token in a log, a database row or an API response, and a token cannot push elsewhere', async () => {
    const tokens = github.state.tokens().map(t => t.token);
    expect(tokens.length).toBeGreaterThan(0);
    const dump: string[] = [];
    for (const table of ['agents_sessions', 'agents_runs', 'agents_log_chunks', 'agents_bundles']) {
      dump.push(JSON.stringify(await knex(table).select()));
    }
    const listed = await request(server).get('/api/agents/sessions').set(auth);
    const single = await request(server).get(`/api/agents/sessions/${firstSessionId}`).set(auth);
    const logs = await request(server).get(`/api/agents/sessions/${firstSessionId}/logs`).set(auth);
    const everything = [...dump, listed.text, single.text, logs.text, backendLog.join('\n')].join('\n');
    expect(everything).toContain('Opened pull request #');
    for (const token of tokens) expect(everything).not.toContain(token);

    // The run's token is for payments only: ledger, in the same installation, refuses it.
    const runToken = github.state.tokens().find(t => t.permissions.contents === 'write')!.token;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-push-'));
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    execFileSync('git', ['-C', work, '-c', 'user.name=x', '-c', 'user.email=x@x', 'commit', '-q', '--allow-empty', '-m', 'x']);
    const ledger = `http://x-access-token:${runToken}@127.0.0.1:${github.port}/example-org/ledger.git`;
    // Asynchronously: the fake GitHub answers from this same process.
    const push = await execFileAsync('git', ['-C', work, 'push', ledger, 'main:refs/heads/stolen'], {
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
    }).then(
      () => 'pushed',
      (error: { stderr?: string }) => String(error.stderr),
    );
    expect(push).toMatch(/Permission to example-org\/ledger.git denied|Repository not found/);
    const ledgerDir = github.state.repos().find(r => r.name === 'ledger')!.dir;
    expect(execFileSync('git', ['branch', '--list', 'stolen'], { cwd: ledgerDir, encoding: 'utf8' })).toBe('');
  });

  it('fails a session on a repository the app cannot reach, with GitHub\'s reason, creating nothing', async () => {
    const id = await launch('ghost', 'Anything');
    const session = await untilFinished(id);
    expect(session.status).toBe('failed');
    expect(session.runs[0].reason).toContain('No Git token');
    expect(session.runs[0].reason).toContain('example-org/ghost');
    // This session's: an earlier test's finished pod may still be waiting for its clean-up.
    expect(await managedObjects(id)).toBe(0);
  });

  it('fails a session when GitHub rejects the app\'s credentials (401)', async () => {
    const id = await launch('misconfigured', 'Anything');
    const session = await untilFinished(id);
    expect(session.status).toBe('failed');
    expect(session.runs[0].reason).toContain('GitHub rejected the credentials (401');
    expect(await managedObjects(id)).toBe(0);
  });

  it('waits out a rate limit when GitHub says when it resets, then opens the pull request', async () => {
    github.faults.failNext({ kind: 'rate-limit', method: 'POST', pathIncludes: '/pulls' });
    const id = await launch('payments', 'Rename the ledger module');
    expect((await untilFinished(id)).status).toBe('succeeded');
    await untilLog(id, 'Opened pull request #');
    expect(backendLog.join('\n')).toMatch(/GitHub rate limit for POST .*pulls: retrying in \d+ s/);
  });

  it('reports a pull request GitHub refuses (422) in the session log and does not retry it forever', async () => {
    github.faults.failNext({ kind: 'unauthorized', status: 422, method: 'POST', pathIncludes: '/pulls' } as any);
    const id = await launch('payments', 'Drop the legacy endpoint');
    expect((await untilFinished(id)).status).toBe('succeeded');
    await untilLog(id, 'Opening the pull request of');
    const session = await get(id);
    expect(session.prUrl).toBeUndefined();
    const row = await knex('agents_sessions').where({ id }).first();
    expect(row.pr_synced_commit).toBe(row.head_commit);
  });
});
