import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { HarnessName } from '@backstage-agents/plugin-agents-common';
import {
  generateAppKeyPair,
  startFakeGitHub,
  type FakeGitHub,
} from '@backstage-agents/fake-github';
import {
  networkIsolation,
  offlineCommand,
  startFakeLlm,
  startPortBridge,
  type FakeLlm,
  type PortBridge,
  installAgentClis,
} from '@backstage-agents/fake-llm';
import type { Knex } from 'knex';
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import * as tar from 'tar';
import { DatabaseBundleStore } from '../bundles/DatabaseBundleStore';
import { agentsPlugin } from '../plugin';
import {
  startSimulatedCluster,
  waitFor,
  type SimulatedCluster,
} from '../__testUtils__/simulatedCluster';

jest.setTimeout(600_000);

const REPO_ROOT = path.resolve(__dirname, '../../../..');
const IMAGE = 'ghcr.io/backstage-agents/harness:test';
const ENTRYPOINT = path.join(REPO_ROOT, 'images/harness/entrypoint/main.js');
const CREDENTIALS_SECRET = 'agents-model-simulator';
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

const { toolsDir: TOOLS_DIR, missing } = installAgentClis();
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the real-agent sessions: ${missing}`);
}
const describeWithClis = missing ? describe.skip : describe;

/**
 * Each pod's process runs in a network namespace of its own (`unshare -n`) whose only interface is
 * loopback: 127.0.0.1 there reaches the model simulator, the fake GitHub and the backend through
 * Unix sockets (packages/fake-llm's offline-exec inside, a port bridge outside), and nothing else.
 */
const isolation = networkIsolation();
if (!isolation.available) {
  // eslint-disable-next-line no-console
  console.warn(`Running the real-agent sessions without network isolation: ${isolation.reason}`);
}
const describeIsolated = isolation.available ? describe : describe.skip;
/** Where the backend is inside a pod's namespace, any port being free there: Backstage's default. */
const BACKEND_PORT_IN_POD = 7007;

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'github.com/project-slug': `example-org/${name}` } },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

/** The base URL each CLI is given for the simulator, by the protocol it speaks. */
const BASE_URLS: Record<Exclude<HarnessName, 'demo'>, (url: string) => string> = {
  opencode: url => `${url}/v1`,
  'claude-code': url => url,
  codex: url => `${url}/v1`,
};

/** What of each CLI's own state a session bundle must hold, for the CLI to resume from it. */
const STATE_ENTRIES: Record<Exclude<HarnessName, 'demo'>, RegExp> = {
  opencode: /^\.local\/share\/opencode\/opencode\.db$/,
  'claude-code': /^\.claude\/projects\/.+\.jsonl$/,
  codex: /^\.codex\/sessions\/.+\.jsonl$/,
};

/**
 * Sessions of the three real agent CLIs (OpenCode, Claude Code, Codex) through the whole product:
 * the backend launches the real harness entrypoint as a pod under the cluster simulator, the CLI
 * talks to the model simulator, edits a file, and the run commits, pushes to the fake GitHub, gets
 * a pull request, uploads a bundle with the CLI's own state and reports its token usage. A resume
 * runs in a new pod from that bundle and continues the same conversation.
 */
describeWithClis('real agent sessions', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let github: FakeGitHub;
  let llm: FakeLlm;
  let cluster: SimulatedCluster;
  let knex: Knex;
  let server: any;
  let stopBackend: () => Promise<void>;
  let socketsDir: string;
  const bridges: PortBridge[] = [];

  beforeAll(async () => {
    const key = generateAppKeyPair();
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
    for (const name of Object.keys(BASE_URLS)) await github.createRepo('example-org', name);
    llm = await startFakeLlm({});

    // The simulator and the fake GitHub keep their ports inside the pods' namespaces; the backend's
    // socket is bridged once it listens, before any pod runs.
    socketsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-net-'));
    const backendSocket = path.join(socketsDir, 'backend.sock');
    let image = [process.execPath, ENTRYPOINT];
    if (isolation.available) {
      const services = await startPortBridge([
        { socketPath: path.join(socketsDir, 'llm.sock'), target: llm.port },
        { socketPath: path.join(socketsDir, 'github.sock'), target: github.port },
      ]);
      bridges.push(services);
      const offline = offlineCommand(process.execPath, [ENTRYPOINT], [
        ...services.forwards,
        { port: BACKEND_PORT_IN_POD, socketPath: backendSocket },
      ]);
      image = [offline.command, ...offline.args];
    }

    cluster = await startSimulatedCluster({
      images: { [IMAGE]: image },
      hostEnv: {
        PATH: `${path.join(TOOLS_DIR, 'bin')}:${process.env.PATH}`,
        LANG: 'C.UTF-8',
        AGENTS_OPENCODE_CONFIG_TEMPLATE: path.join(TOOLS_DIR, 'opencode-config'),
      },
    });
    // The platform team's Secret with the agents' API keys; the simulator takes any.
    await cluster.core.createNamespacedSecret({
      namespace: 'agents',
      body: {
        metadata: { name: CREDENTIALS_SECRET },
        stringData: { OPENAI_API_KEY: 'simulator', ANTHROPIC_API_KEY: 'simulator' },
      },
    });
    knex = await databases.init('SQLITE_3');
    const host = `127.0.0.1:${github.port}`;
    const harness = (name: keyof typeof BASE_URLS) => ({
      baseUrl: BASE_URLS[name](llm.url),
      model: 'fake-model',
      credentialsSecret: CREDENTIALS_SECRET,
    });
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: Object.keys(BASE_URLS).map(component) }),
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
              ],
            },
            agents: {
              kubernetes: {
                kubeconfig: cluster.kubeconfigPath,
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                finishedPodTtl: { seconds: 0 },
                ...(isolation.available && { backendUrl: `http://127.0.0.1:${BACKEND_PORT_IN_POD}/api/agents` }),
              },
              git: { rewrites: [{ from: 'https://github.com/example-org/', to: `http://${host}/example-org/` }] },
              harnesses: {
                opencode: harness('opencode'),
                'claude-code': harness('claude-code'),
                codex: harness('codex'),
              },
              policies: {
                default: {
                  allowedHarnesses: ['opencode', 'claude-code', 'codex'],
                  defaultHarness: 'opencode',
                  timeout: { minutes: 3 },
                },
              },
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
    if (isolation.available) {
      bridges.push(
        await startPortBridge([{ socketPath: backendSocket, target: backend.server.port(), port: BACKEND_PORT_IN_POD }]),
      );
    }
  });

  afterAll(async () => {
    await stopBackend?.();
    await cluster?.stop();
    await github?.stop();
    await llm?.stop();
    for (const bridge of bridges) await bridge.stop();
    if (socketsDir) fs.rmSync(socketsDir, { recursive: true, force: true });
  });

  const get = async (id: string) => (await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body;
  const untilFinished = (id: string) =>
    waitFor(`session ${id} to finish`, async () => {
      const body = await get(id);
      return ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(body.status) ? body : undefined;
    }, 180_000);
  const logText = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq'))
      .flatMap(chunk => JSON.parse(chunk.lines).map(([, line]: [string, string]) => line))
      .join('\n');
  const untilLog = (id: string, text: string) =>
    waitFor(`"${text}" in the log of ${id}`, async () => ((await logText(id)).includes(text) ? true : undefined));
  /** The paths in the session's current bundle. */
  const bundleEntries = async (bundleId: string) => {
    const entries: string[] = [];
    const content = await new DatabaseBundleStore(knex).read(bundleId);
    if (!content) throw new Error(`Bundle ${bundleId} has no content`);
    await new Promise<void>((resolve, reject) => {
      const list = tar.t({ onReadEntry: entry => entries.push(entry.path.replace(/^\.\//, '')) });
      content.on('error', reject).pipe(list).on('finish', resolve).on('error', reject);
    });
    return entries;
  };
  /** The model requests whose conversation holds `text`. */
  const requestsWith = (text: string) =>
    llm.requests.filter(r => JSON.stringify(r.body ?? '').includes(text));

  it.each(Object.keys(BASE_URLS) as Array<keyof typeof BASE_URLS>)(
    '%s edits, pushes, opens a pull request, keeps its state and usage, and resumes the same conversation',
    async harness => {
      const prompt = `Add a refund endpoint for ${harness} [llm:edit]`;
      const created = await request(server)
        .post('/api/agents/sessions')
        .set(auth)
        .send({ entityRef: `component:default/${harness}`, prompt, harness });
      expect(created.status).toBe(201);
      const id = created.body.id as string;

      const first = await untilFinished(id);
      expect({ status: first.status, reason: first.runs[0].reason }).toEqual({ status: 'succeeded', reason: undefined });
      expect(first.runs[0].result).toMatchObject({ status: 'succeeded', pushed: true, filesChanged: 1 });
      expect(first.runs[0].result.harnessSessionId).toEqual(expect.any(String));
      expect(first.runs[0].result.usage).toEqual({
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
      });
      expect(first.runs[0].result.usage.inputTokens).toBeGreaterThan(0);
      await untilLog(id, 'Opened pull request #');
      expect((await get(id)).prUrl).toMatch(new RegExp(`/example-org/${harness}/pull/\\d+$`));

      // The edit is on the pushed branch, in the agent's commit.
      const repoDir = github.state.repos().find(r => r.name === harness)!.dir;
      const files = execFileSync('git', ['ls-tree', '--name-only', first.workBranch], { cwd: repoDir, encoding: 'utf8' });
      expect(files).toMatch(/fake-llm-edit-\d+\.txt/);

      // The bundle holds the CLI's own session state, which is what a new pod resumes from.
      const bundled = await get(id);
      expect(bundled.bundle?.sizeBytes).toBeGreaterThan(0);
      const entries = await bundleEntries(bundled.bundle.id);
      expect(entries.some(entry => STATE_ENTRIES[harness].test(entry))).toBe(true);

      const resumed = await request(server)
        .post(`/api/agents/sessions/${id}/resume`)
        .set(auth)
        .send({ prompt: `Cover the refund endpoint of ${harness} with tests` });
      expect(resumed.status).toBe(200);
      const second = await untilFinished(id);
      expect(second.status).toBe('succeeded');
      expect(second.runs).toHaveLength(2);
      expect(second.runs[1].result.harnessSessionId).toBe(first.runs[0].result.harnessSessionId);
      // The resumed turn went to the model with turn 1 in its conversation.
      const resumedTurn = requestsWith(`Cover the refund endpoint of ${harness} with tests`);
      expect(resumedTurn.length).toBeGreaterThan(0);
      expect(resumedTurn.some(r => JSON.stringify(r.body).includes(prompt))).toBe(true);
    },
  );

  it("fails a session on the model's error, with the CLI's message in the log and the run's reason", async () => {
    const created = await request(server)
      .post('/api/agents/sessions')
      .set(auth)
      .send({ entityRef: 'component:default/opencode', prompt: 'Break things [llm:fail]', harness: 'opencode' });
    expect(created.status).toBe(201);
    const failed = await untilFinished(created.body.id);
    expect(failed.status).toBe('failed');
    expect(`${failed.runs[0].reason ?? ''} ${failed.summary ?? ''}`).toContain('scripted failure');
    expect(await logText(created.body.id)).toContain('scripted failure');
  });

  describeIsolated('offline', () => {
    it('runs each pod in a network namespace that reaches nothing beyond its three services', async () => {
      // A server on this machine's loopback, which any process outside the namespace could reach.
      const canaryHits: string[] = [];
      const canary = http.createServer((req, res) => {
        canaryHits.push(req.url ?? '');
        res.end('reached');
      });
      canary.listen(0, '127.0.0.1');
      await once(canary, 'listening');
      const canaryUrl = `http://127.0.0.1:${(canary.address() as AddressInfo).port}/canary`;
      try {
        const outside = await promisify(execFile)('curl', ['-sS', '--noproxy', '*', '--max-time', '5', canaryUrl]);
        expect(outside.stdout).toBe('reached');
        canaryHits.length = 0;

        const prompt = `Fetch the canary [llm:blocked-tool:${canaryUrl}]`;
        const created = await request(server)
          .post('/api/agents/sessions')
          .set(auth)
          .send({ entityRef: 'component:default/opencode', prompt, harness: 'opencode' });
        expect(created.status).toBe(201);
        const finished = await untilFinished(created.body.id);
        // The run itself reached the model simulator, the fake GitHub and the backend (its bundle).
        expect(finished.status).toBe('succeeded');
        expect(finished.bundle?.sizeBytes).toBeGreaterThan(0);
        // The agent's curl inside the pod could not connect: the model got curl's error as the tool's
        // output, the agent's answer in the session's log quotes it, and the canary saw nothing.
        const curlFailed = /curl: \(7\) Failed to connect to 127\.0\.0\.1/;
        expect(requestsWith(prompt).some(r => curlFailed.test(JSON.stringify(r.body)))).toBe(true);
        expect(await logText(created.body.id)).toMatch(new RegExp(`${canaryUrl} finished: ${curlFailed.source}`));
        expect(canaryHits).toEqual([]);
      } finally {
        canary.close();
      }
    });
  });
});
