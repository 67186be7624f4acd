import { mockCredentials, mockServices, startTestBackend, TestDatabases } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { generateAppKeyPair, startFakeGitHub, type FakeGitHub } from '@backstage-agents/fake-github';
import type { Knex } from 'knex';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { agentsPlugin } from '../plugin';
import { startSimulatedCluster, waitFor, type SimulatedCluster } from '../__testUtils__/simulatedCluster';

jest.setTimeout(240_000);

const IMAGE = 'ghcr.io/backstage-agents/harness:test';
const ENTRYPOINT = path.resolve(__dirname, '../../../../images/harness/entrypoint/main.js');
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };
const REPOS = ['waves', 'failing', 'clash'];

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations: { 'github.com/project-slug': `example-org/${name}` } },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

/**
 * Fan-outs in waves end to end: the real plugin, the harness entrypoint running the demo agent under
 * the cluster simulator, and a fake GitHub whose bare repositories show what was merged where.
 */
describe('fan-outs in waves against GitHub', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let github: FakeGitHub;
  let cluster: SimulatedCluster;
  let knex: Knex;
  let server: any;
  let stopBackend: () => Promise<void>;

  beforeAll(async () => {
    const key = generateAppKeyPair();
    github = await startFakeGitHub({
      reposDir: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-waves-')),
      apps: [{ appId: 4242, privateKeyPem: key.privateKeyPem, installations: [{ id: 77, account: 'example-org', repositories: 'all' }] }],
    });
    for (const repo of REPOS) await github.createRepo('example-org', repo);
    cluster = await startSimulatedCluster({ images: { [IMAGE]: [process.execPath, ENTRYPOINT] } });
    knex = await databases.init('SQLITE_3');
    const host = `127.0.0.1:${github.port}`;
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: REPOS.map(component) }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host,
                  apiBaseUrl: github.enterpriseApiUrl,
                  apps: [{ appId: 4242, privateKey: key.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' }],
                },
              ],
            },
            agents: {
              kubernetes: {
                kubeconfig: cluster.kubeconfigPath,
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                // Finished pods stay, so that their environment can be read.
                finishedPodTtl: { minutes: 10 },
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

  const post = async (body: object) => {
    const res = await request(server).post('/api/agents/sessions').set(auth).send(body);
    expect(res.status).toBe(201);
    return res.body;
  };
  const get = async (id: string) => (await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body;
  const until = (what: string, id: string, done: (s: any) => boolean) =>
    waitFor(`${what} (${id})`, async () => {
      const body = await get(id);
      return done(body) ? body : undefined;
    }, 180_000);
  const finished = (s: any) => ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(s.status);
  const gitIn = (repo: string, ...args: string[]) =>
    execFileSync('git', args, { cwd: github.state.repos().find(r => r.name === repo)!.dir, encoding: 'utf8' }).trim();
  const isAncestor = (repo: string, ancestor: string, descendant: string) => {
    try {
      gitIn(repo, 'merge-base', '--is-ancestor', ancestor, descendant);
      return true;
    } catch {
      return false;
    }
  };
  const logText = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq'))
      .flatMap(chunk => JSON.parse(chunk.lines).map(([, line]: [string, string]) => line))
      .join('\n');
  const podEnv = async (sessionId: string) => {
    const pods = await cluster.core.listNamespacedPod({
      namespace: 'agents',
      labelSelector: `agents.backstage.io/session=${sessionId}`,
    });
    return Object.fromEntries((pods.items[0]?.spec?.containers[0].env ?? []).map(e => [e.name, e.value]));
  };

  /** A fan-out in waves on `repo` and its tasks, created last wave first as clients do. */
  const fanOutWithTasks = async (repo: string, tasks: Array<{ taskId: string; wave: number; prompt?: string }>) => {
    const integrationBranch = `specs/001-${repo}/integration`;
    const fanOut = await post({
      entityRef: `component:default/${repo}`,
      prompt: `Implement 001-${repo}`,
      kind: 'fanout',
      origin: 'speckit',
      integrationBranch,
    });
    const ids: Record<string, string> = {};
    for (const task of [...tasks].sort((a, b) => b.wave - a.wave)) {
      const created = await post({
        entityRef: `component:default/${repo}`,
        prompt: task.prompt ?? `${task.taskId}: implement it`,
        parentSessionId: fanOut.id,
        workBranch: `specs/001-${repo}/${task.taskId}-async`,
        origin: 'speckit',
        taskId: task.taskId,
        wave: task.wave,
      });
      ids[task.taskId] = created.id;
    }
    return { fanOut, ids, integrationBranch };
  };

  it('runs wave after wave, each from the integration branch with the earlier waves merged into it', async () => {
    const { fanOut, ids, integrationBranch } = await fanOutWithTasks('waves', [
      { taskId: 'T001', wave: 1 },
      { taskId: 'T002', wave: 1 },
      { taskId: 'T003', wave: 2 },
      { taskId: 'T004', wave: 3 },
    ]);
    const done = await until('the fan-out to merge its last wave', fanOut.id, s => s.currentWave === 4);
    expect(done).toMatchObject({ status: 'succeeded', integrationBranch, children: { byStatus: { succeeded: 4 } } });
    expect(done.waveError).toBeUndefined();

    const [t1, t2, t3, t4] = await Promise.all(['T001', 'T002', 'T003', 'T004'].map(t => get(ids[t])));
    for (const task of [t1, t2, t3, t4]) {
      expect(task).toMatchObject({ status: 'succeeded', baseBranch: integrationBranch });
      expect((await podEnv(task.id)).AGENTS_BASE_BRANCH).toBe(integrationBranch);
    }
    // Wave 2 started once both wave-1 tasks had finished, and was cloned with their work merged.
    expect(t3.startedAt >= t1.finishedAt && t3.startedAt >= t2.finishedAt).toBe(true);
    expect(t4.startedAt >= t3.finishedAt).toBe(true);
    for (const earlier of [t1, t2]) expect(isAncestor('waves', earlier.headCommit, t3.headCommit)).toBe(true);
    expect(isAncestor('waves', t3.headCommit, t4.headCommit)).toBe(true);
    expect(isAncestor('waves', t4.headCommit, integrationBranch)).toBe(true);
    // Each task wrote a file of its own, so the integration branch holds all four.
    expect(gitIn('waves', 'ls-tree', '--name-only', `${integrationBranch}:agents-demo`).split('\n')).toEqual([
      'T001.md',
      'T002.md',
      'T003.md',
      'T004.md',
    ]);
    expect(await logText(t1.id)).toContain(`Merged ${t1.workBranch} into ${integrationBranch} (wave 1)`);

    // Every task has its pull request, against the integration branch: each is opened before its
    // branch is merged (GitHub opens none for a branch merged already).
    const pulls = await github.state.pulls({ repo: 'waves' });
    expect(pulls.map(p => p.head.ref).sort()).toEqual(
      [t1, t2, t3, t4].map(t => t.workBranch).sort(),
    );
    for (const pull of pulls) expect(pull.base.ref).toBe(integrationBranch);
  });

  it('stops when a task of a wave fails: later waves are cancelled and the fan-out fails', async () => {
    const { fanOut, ids } = await fanOutWithTasks('failing', [
      { taskId: 'T001', wave: 1 },
      { taskId: 'T002', wave: 1, prompt: 'T002: break it [stub:fail]' },
      { taskId: 'T003', wave: 2 },
      { taskId: 'T004', wave: 3 },
    ]);
    const ended = await until('the fan-out to end', fanOut.id, finished);
    expect(ended).toMatchObject({ status: 'failed', currentWave: 1 });
    expect(ended.waveError).toBe('Wave 1 ended with T002 failed: waves 2–3 (T003, T004) were not started');
    for (const taskId of ['T003', 'T004']) {
      const task = await get(ids[taskId]);
      expect(task.status).toBe('cancelled');
      expect(task.runs[0]).toMatchObject({ reason: ended.waveError });
      expect(task.runs[0].podName).toBeUndefined();
    }
    const resume = await request(server).post(`/api/agents/sessions/${ids.T003}/resume`).set(auth).send({ prompt: 'Go' });
    expect(resume.status).toBe(409);
    expect(resume.body.error.message).toContain('never reached');
  });

  it('stops on a merge conflict, naming the task and both branches', async () => {
    const { fanOut, ids, integrationBranch } = await fanOutWithTasks('clash', [
      { taskId: 'T001', wave: 1, prompt: 'T001: write the shared notes [stub:file=NOTES.md]' },
      { taskId: 'T002', wave: 1, prompt: 'T002: write the shared notes too [stub:file=NOTES.md]' },
      { taskId: 'T003', wave: 2 },
    ]);
    const ended = await until('the fan-out to end', fanOut.id, finished);
    expect(ended.waveError).toContain(
      `Merging T002 (specs/001-clash/T002-async) into ${integrationBranch} in wave 1 conflicts with the work merged before it: wave 2 (T003) was not started`,
    );
    expect(ended).toMatchObject({ status: 'cancelled', currentWave: 1, children: { byStatus: { succeeded: 2, cancelled: 1 } } });
    expect((await get(ids.T003)).status).toBe('cancelled');
    // T001 was merged before the conflict; T002 was not.
    const [t1, t2] = [await get(ids.T001), await get(ids.T002)];
    expect(isAncestor('clash', t1.headCommit, integrationBranch)).toBe(true);
    expect(isAncestor('clash', t2.headCommit, integrationBranch)).toBe(false);
    expect(await logText(ids.T002)).toContain('conflicts with the work merged before it');
  });
});
