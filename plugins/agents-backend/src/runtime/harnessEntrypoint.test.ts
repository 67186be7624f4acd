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
import type { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { agentsPlugin } from '../plugin';
import { createBareRepo, gitIn } from '../__testUtils__/gitRepos';
import {
  startSimulatedCluster,
  waitFor,
  type SimulatedCluster,
} from '../__testUtils__/simulatedCluster';

jest.setTimeout(180_000);

const IMAGE = 'ghcr.io/backstage-agents/harness:test';
const HARNESS_DIR = path.resolve(__dirname, '../../../../images/harness');
const ENTRYPOINT = path.join(HARNESS_DIR, 'entrypoint/main.js');
const STUBS = path.join(HARNESS_DIR, 'test/stubs/bin');
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: { 'github.com/project-slug': 'example-org/payments' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

/**
 * The real harness entrypoint (images/harness/entrypoint) run by the cluster simulator's kubelet, as
 * the image's ENTRYPOINT would be in a pod, against a local bare repository. The coding agents are
 * the demo agent and stub `opencode`/`claude`/`codex` executables that behave like the real CLIs.
 */
/** The Secret holding the agents' API keys, as a platform team creates it. */
const STUB_KEYS = 'agents-model-keys';

describe('the harness entrypoint under the cluster simulator', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let cluster: SimulatedCluster;
  let knex: Knex;
  let reposRoot: string;
  let bareRepo: string;
  let server: any;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    reposRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-repos-'));
    bareRepo = createBareRepo(reposRoot, 'example-org', 'payments');
    cluster = await startSimulatedCluster({
      images: { [IMAGE]: [process.execPath, ENTRYPOINT] },
      hostEnv: {
        PATH: [STUBS, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        LANG: 'C.UTF-8',
      },
    });
    await cluster.core.createNamespacedSecret({
      namespace: 'agents',
      body: { metadata: { name: STUB_KEYS }, stringData: { OPENAI_API_KEY: 'stub', ANTHROPIC_API_KEY: 'stub' } },
    });
    knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [entity] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            agents: {
              kubernetes: {
                kubeconfig: cluster.kubeconfigPath,
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                finishedPodTtl: { seconds: 0 },
              },
              git: {
                rewrites: [
                  { from: 'https://github.com/example-org/', to: `file://${reposRoot}/example-org/` },
                ],
              },
              harnesses: {
                demo: { enabled: true },
                // The stub CLIs answer without a model; the adapters still require an endpoint and a key.
                opencode: { baseUrl: 'http://127.0.0.1:9/v1', model: 'stub-model', credentialsSecret: STUB_KEYS },
                'claude-code': { baseUrl: 'http://127.0.0.1:9', credentialsSecret: STUB_KEYS },
                codex: { baseUrl: 'http://127.0.0.1:9/v1', credentialsSecret: STUB_KEYS },
              },
              policies: {
                default: {
                  allowedHarnesses: ['demo', 'opencode', 'claude-code', 'codex'],
                  defaultHarness: 'demo',
                  timeout: { seconds: 90 },
                },
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
  });

  const launch = async (prompt: string, harness: string) => {
    const res = await request(server)
      .post('/api/agents/sessions')
      .set(auth)
      .send({ entityRef: 'payments', prompt, harness });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  const session = async (id: string) =>
    (await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body;

  const untilStatus = (id: string, statuses: string[]) =>
    waitFor(`session ${id} to be ${statuses.join('/')}`, async () => {
      const body = await session(id);
      return statuses.includes(body.status) ? body : undefined;
    }, 120_000);

  const logText = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq'))
      .flatMap(chunk => JSON.parse(chunk.lines).map(([, line]: [string, string]) => line))
      .join('\n');

  /** Shows the session's log when it did not succeed, so a failure explains itself. */
  const expectSucceeded = async (id: string, body: { status: string }) =>
    expect({ status: body.status, log: body.status === 'succeeded' ? '' : await logText(id) }).toEqual({
      status: 'succeeded',
      log: '',
    });

  const branchLog = (branch: string) => gitIn(bareRepo, 'log', '--format=%s%n%b', branch);
  const branchFile = (branch: string, file: string) => gitIn(bareRepo, 'show', `${branch}:${file}`);

  it.each([
    ['demo', 'AGENTS_DEMO.md'],
    ['opencode', 'AGENT_NOTES.md'],
    ['claude-code', 'AGENT_NOTES.md'],
    ['codex', 'AGENT_NOTES.md'],
  ])('runs %s: pushes the work branch, uploads a bundle, and a resume continues the same agent session', async (harness, notesFile) => {
    const id = await launch(`Add a refund endpoint (${harness})`, harness);
    const first = await untilStatus(id, ['succeeded', 'failed']);
    await expectSucceeded(id, first);
    const run1 = first.runs[0];
    expect(run1.result).toMatchObject({ status: 'succeeded', pushed: true, filesChanged: 1 });
    expect(run1.result.harnessSessionId).toEqual(expect.any(String));
    expect(first.headCommit).toBe(gitIn(bareRepo, 'rev-parse', first.workBranch));
    expect(branchLog(first.workBranch)).toContain(`Agents-Session: ${id}`);
    expect(branchFile(first.workBranch, notesFile)).toContain(`Add a refund endpoint (${harness})`);
    expect(first.bundle).toMatchObject({ digest: expect.stringMatching(/^sha256:/) });
    expect(await logText(id)).toContain('Uploaded the session bundle');

    const resumed = await request(server)
      .post(`/api/agents/sessions/${id}/resume`)
      .set(auth)
      .send({ prompt: 'Now cover it with tests' });
    expect(resumed.status).toBe(200);
    const second = await untilStatus(id, ['succeeded', 'failed']);
    await expectSucceeded(id, second);
    const run2 = second.runs[1];
    // The agent saw its earlier state: the restored bundle held the first turn.
    const proof = `resumed ${run1.result.harnessSessionId}: 1 earlier turn(s); last prompt: Add a refund endpoint (${harness})`;
    expect(await logText(id)).toContain(proof);
    expect(run2.result.harnessSessionId).toBe(run1.result.harnessSessionId);
    expect(gitIn(bareRepo, 'rev-list', '--count', `main..${second.workBranch}`)).toBe('2');
    expect(second.bundle.digest).not.toBe(first.bundle.digest);
    const bundles = await knex('agents_bundles').where({ session_id: id, state: 'complete' });
    expect(bundles).toHaveLength(2);
  });

  it('saves partial work and the bundle when the run is cancelled mid-way (SIGTERM)', async () => {
    const id = await launch('Rewrite the ledger [stub:slow]', 'demo');
    await waitFor('the agent to be working', async () =>
      (await logText(id)).includes('Working slowly until stopped') ? true : undefined,
    );
    const cancelled = await request(server).post(`/api/agents/sessions/${id}/cancel`).set(auth);
    expect(cancelled.status).toBe(200);
    const run = cancelled.body.runs[0];
    const saved = await waitFor('the interrupted run to upload its bundle', async () => {
      const row = await knex('agents_runs').where({ id: run.id }).first();
      return row.bundle_id ? row : undefined;
    });
    const bundle = await knex('agents_bundles').where({ id: saved.bundle_id }).first();
    expect(bundle).toMatchObject({ state: 'complete', run_id: run.id });
    const branch = cancelled.body.workBranch;
    await waitFor('the partial commit to be pushed', async () => {
      try {
        return branchLog(branch).includes('[interrupted] Agent run 1') ? true : undefined;
      } catch {
        return undefined;
      }
    });
    expect(branchFile(branch, 'AGENTS_DEMO.md')).toContain('Rewrite the ledger');
    expect((await session(id)).status).toBe('cancelled');
  });
});
