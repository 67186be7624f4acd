import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { KubeSim } from '@backstage-agents/kube-sim';
import { NetworkingV1Api, type CoreV1Api } from '@kubernetes/client-node';
import type { Knex } from 'knex';
import path from 'node:path';
import request from 'supertest';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { agentsPlugin } from '../plugin';
import { startSimulatedCluster, waitFor, type SimulatedCluster } from '../__testUtils__/simulatedCluster';
import { RecordingMetricsService } from '../__testUtils__/recordingMetrics';
import { RECONCILER_METRICS } from './ReconcilerMetrics';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { POD_CREATION_GRACE_MS } from './runDecision';

jest.setTimeout(120_000);

const IMAGE = 'agents-harness:test';
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
/** Another component of the same team: the per-owner cap counts both. */
const ledger: Entity = {
  ...entity,
  metadata: { ...entity.metadata, name: 'ledger', annotations: { 'github.com/project-slug': 'example-org/ledger' } },
};
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

/**
 * The real backend against the cluster simulator and its process kubelet: sessions become pods, the
 * scripted harness runs as a local process, and the reconciler follows it to the end.
 */
describe('the agents runtime under the cluster simulator', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let cluster: SimulatedCluster;
  let sim: KubeSim;
  let core: CoreV1Api;
  let kubeconfigPath: string;
  let knex: Knex;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({
      images: { [IMAGE]: [process.execPath, path.join(__dirname, '__fixtures__', 'fake-harness.js')] },
    });
    ({ sim, core, kubeconfigPath } = cluster);
    knex = await databases.init('SQLITE_3');
  });

  // Each test's backends stop with it, so no stale replica competes for the reconciler's lease.
  const backends: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop().catch(() => undefined)));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function startBackend() {
    // What this backend records, apart from other tests' backends.
    const metrics = new RecordingMetricsService();
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        metrics.factory(),
        // The real scheduler: the reconciler runs as a global task with a lease, as in production.
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [entity, ledger] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            agents: {
              kubernetes: {
                kubeconfig: kubeconfigPath,
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                reconcilerLease: { seconds: 4 },
                finishedPodTtl: { seconds: 0 },
              },
              // Prices a run's usage: $3 and $15 per million input and output tokens.
              harnesses: { opencode: { price: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } } },
              // The scripted harness clones nothing: a repository outside GitHub needs no token.
              git: { rewrites: [{ from: 'https://github.com/', to: 'https://git.example.test/' }] },
              policies: {
                default: { timeout: { seconds: 60 } },
                short: { timeout: { seconds: 2 } },
                capped: { maxConcurrentPerEntity: 1 },
                fanout: { maxConcurrentPerEntity: 10 },
                team: { maxConcurrentPerOwner: 2 },
                open: { egressProfile: 'internet' },
              },
              templatePolicies: [
                { template: 'template:default/short', policy: 'short' },
                { template: 'template:default/capped', policy: 'capped' },
                { template: 'template:default/fanout', policy: 'fanout' },
                { template: 'template:default/team', policy: 'team' },
                { template: 'template:default/open', policy: 'open' },
              ],
            },
          },
        }),
      ],
    });
    backends.push(backend);
    return Object.assign(backend, { metrics });
  }

  const untilStatus = (server: any, id: string, statuses: string[]) =>
    waitFor(`session ${id} to be ${statuses.join('/')}`, async () => {
      const res = await request(server).get(`/api/agents/sessions/${id}`).set(auth);
      return statuses.includes(res.body.status) ? res.body : undefined;
    });

  const logLines = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq'))
      .flatMap(chunk => JSON.parse(chunk.lines).map(([, line]: [string, string]) => line));

  const managedObjects = async () => {
    const selector = { namespace: 'agents', labelSelector: 'app.kubernetes.io/managed-by=backstage-agents' };
    const [pods, secrets] = await Promise.all([core.listNamespacedPod(selector), core.listNamespacedSecret(selector)]);
    return pods.items.length + secrets.items.length;
  };

  const launch = async (server: any, prompt: string, extra: object = {}) => {
    const res = await request(server)
      .post('/api/agents/sessions')
      .set(auth)
      .send({ entityRef: 'payments', prompt, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('runs a session to success with its log and result persisted, then removes the pod', async () => {
    const { server, metrics } = await startBackend();
    const id = await launch(server, 'add refunds');
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session).toMatchObject({
      status: 'succeeded',
      summary: 'Did: add refunds',
      headCommit: 'abc1234',
      runs: [
        expect.objectContaining({
          phase: 'succeeded',
          exitCode: 0,
          podName: expect.stringMatching(/^agents-run-/),
          result: expect.objectContaining({
            status: 'succeeded',
            filesChanged: 2,
            usage: { inputTokens: 12_000, outputTokens: 3_400 },
          }),
          // 12,000 × $3 + 3,400 × $15 per million tokens.
          usage: { inputTokens: 12_000, outputTokens: 3_400, costUsd: 0.087 },
        }),
      ],
      usage: { inputTokens: 12_000, outputTokens: 3_400, costUsd: 0.087 },
    });
    expect(await logLines(id)).toEqual([
      `harness opencode on ${session.workBranch}`,
      'line 1',
      'line 2',
      'line 3',
      expect.stringMatching(/^AGENTS_RESULT /),
    ]);
    await waitFor('the pod and secret to be removed', async () => ((await managedObjects()) === 0 ? true : undefined));
    // One finished run, one launch latency sample (claim to running, in seconds), reconciles measured.
    expect(metrics.measurements(RECONCILER_METRICS.runsFinished)).toEqual([
      { value: 1, attributes: { outcome: 'succeeded', harness: 'opencode' } },
    ]);
    const latency = metrics.measurements(RECONCILER_METRICS.launchLatency);
    expect(latency).toEqual([{ value: expect.any(Number), attributes: { harness: 'opencode' } }]);
    expect(latency[0].value).toBeGreaterThan(0);
    expect(latency[0].value).toBeLessThan(Date.parse(session.startedAt) / 1000 - Date.parse(session.createdAt) / 1000 + 1);
    expect(metrics.measurements(RECONCILER_METRICS.reconcileLag).length).toBeGreaterThan(0);
  });

  it('records a failing harness with its exit code', async () => {
    const { server, metrics } = await startBackend();
    const id = await launch(server, 'fail');
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session.status).toBe('failed');
    expect(metrics.measurements(RECONCILER_METRICS.runsFinished)).toEqual([
      { value: 1, attributes: { outcome: 'failed', harness: 'opencode' } },
    ]);
    expect(session.runs[0]).toMatchObject({ phase: 'failed', exitCode: 3 });
    // Its result line reported no usage: the run and the session show none.
    expect(session.runs[0].usage).toBeUndefined();
    expect(session.usage).toBeUndefined();
    expect(await logLines(id)).toContain('something went wrong');
  });

  it('times out a run that exceeds its deadline', async () => {
    const { server, metrics } = await startBackend();
    const id = await launch(server, 'sleep 30', { templateRef: 'template:default/short' });
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session.status).toBe('timed_out');
    expect(metrics.sum(RECONCILER_METRICS.runsFinished, { outcome: 'timed_out', harness: 'opencode' })).toBe(1);
    expect(session.runs[0].reason).toContain('time limit');
  });

  it('cancels a running session by deleting its pod', async () => {
    const { server, metrics } = await startBackend();
    const id = await launch(server, 'sleep 30');
    await untilStatus(server, id, ['running']);
    const followers = () => metrics.sum(RECONCILER_METRICS.activeLogFollowers);
    await waitFor('its log to be followed', async () => (followers() === 1 ? true : undefined));
    const res = await request(server).post(`/api/agents/sessions/${id}/cancel`).set(auth);
    expect(res.body.status).toBe('cancelled');
    await waitFor('the pod to be gone', async () => ((await managedObjects()) === 0 ? true : undefined));
    expect((await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body.status).toBe('cancelled');
    await waitFor('its log follower to stop', async () => (followers() === 0 ? true : undefined));
    expect(metrics.measurements(RECONCILER_METRICS.runsFinished)).toEqual([
      { value: 1, attributes: { outcome: 'cancelled', harness: 'opencode' } },
    ]);
  });

  it('finishes a run across a backend restart with no gap or duplicate in its log', async () => {
    const first = await startBackend();
    const id = await launch(first.server, 'lines 60');
    await untilStatus(first.server, id, ['running']);
    await waitFor('some lines', async () => ((await logLines(id)).length >= 10 ? true : undefined));
    await first.stop();
    const persistedAtStop = (await logLines(id)).length;
    expect(persistedAtStop).toBeLessThan(60);
    const { server: second } = await startBackend();
    const session = await untilStatus(second, id, ['succeeded', 'failed', 'timed_out']);
    expect(session.status).toBe('succeeded');
    const lines = await logLines(id);
    expect(lines.filter(l => l.startsWith('line '))).toEqual(
      Array.from({ length: 60 }, (_, i) => `line ${i + 1}`),
    );
    const seqs = (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq')).map(c => [
      Number(c.first_seq),
      Number(c.last_seq),
    ]);
    seqs.forEach(([firstSeq], i) => expect(firstSeq).toBe(i === 0 ? 1 : seqs[i - 1][1] + 1));
  });

  it('recovers from API errors, dropped watches and 410 Gone, leaving nothing behind', async () => {
    const { server } = await startBackend();
    const id = await launch(server, 'lines 20');
    await untilStatus(server, id, ['running']);
    sim.faults.failNext({ count: 3, pathIncludes: '/pods', method: 'GET', watch: false });
    sim.faults.dropWatches();
    sim.faults.compact();
    sim.faults.failNext({ count: 2, pathIncludes: '/pods', watch: true });
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session.status).toBe('succeeded');
    expect((await logLines(id)).filter(l => l.startsWith('line '))).toHaveLength(20);
    await waitFor('the pod and secret to be removed', async () => ((await managedObjects()) === 0 ? true : undefined));
  });

  const numberedLines = async (id: string) => (await logLines(id)).filter(l => /^line \d+$/.test(l));
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

  it.each(['end', 'abort'] as const)(
    'persists the whole log and the result line when the log stream is cut (%s) while the pod runs',
    async mode => {
      const { server } = await startBackend();
      const id = await launch(server, 'lines 40');
      await waitFor('some lines', async () => ((await numberedLines(id)).length >= 5 ? true : undefined));
      expect(sim.faults.dropLogStreams(mode)).toBe(1);
      const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
      expect(session).toMatchObject({ status: 'succeeded', summary: 'Did: lines 40' });
      expect(await numberedLines(id)).toEqual(upTo(40));
      expect((await logLines(id)).filter(l => l.startsWith('AGENTS_RESULT '))).toHaveLength(1);
    },
  );

  it('reads a finished log again when its stream was cut and the API then failed', async () => {
    const { server } = await startBackend();
    const id = await launch(server, 'lines 20');
    await waitFor('some lines', async () => ((await numberedLines(id)).length >= 5 ? true : undefined));
    // Every request for the log fails for a while: following again, and reading the finished log.
    sim.faults.failNext({ count: 4, pathIncludes: '/log', code: 500 });
    sim.faults.dropLogStreams('abort');
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session.status).toBe('succeeded');
    expect(await numberedLines(id)).toEqual(upTo(20));
  });

  it('does not judge a run whose log was still being read when the lease ended', async () => {
    const { server } = await startBackend();
    // The first log request is answered after the 4 s lease has ended, as on a loaded API server:
    // the run has finished by then, and its result line has not been read.
    sim.faults.delayNext({ count: 1, pathIncludes: '/log', delayMs: 6_000 });
    const id = await launch(server, 'add refunds');
    const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
    expect(session).toMatchObject({ status: 'succeeded', summary: 'Did: add refunds' });
    expect((await logLines(id)).filter(l => l.startsWith('line '))).toEqual(upTo(3));
  });

  it('launches again a session whose launch died between its claim and its pod', async () => {
    const { server } = await startBackend();
    // A replica claimed the session and died before creating its pod, more than the launch's grace ago.
    const db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    const { session } = await db.sessions.createSession(newSessionInput({ prompt: 'lines 5', repoUrl: 'https://git.example.test/example-org/payments' }));
    await db.transitions.applyTransition(session.id, 'starting', { run: { runTokenHash: 'of-the-dead-launch' } });
    const longAgo = new Date(Date.now() - POD_CREATION_GRACE_MS - 10_000).toISOString();
    await knex('agents_sessions').where({ id: session.id }).update({ updated_at: longAgo });
    const finished = await untilStatus(server, session.id, ['succeeded', 'failed', 'timed_out']);
    expect(finished.status).toBe('succeeded');
    expect(await numberedLines(session.id)).toEqual(upTo(5));
  });

  it('removes a secret left without its pod by an interrupted launch', async () => {
    await core.createNamespacedSecret({
      namespace: 'agents',
      body: {
        metadata: {
          name: 'agents-run-left-behind',
          labels: {
            'app.kubernetes.io/managed-by': 'backstage-agents',
            'agents.backstage.io/run': '00000000-0000-4000-8000-000000000000',
          },
        },
        stringData: { 'run-token': 'x' },
      },
    });
    const secretGone = async () =>
      (await core.listNamespacedSecret({ namespace: 'agents' })).items.some(
        s => s.metadata?.name === 'agents-run-left-behind',
      )
        ? undefined
        : true;
    await startBackend();
    await waitFor('the orphan secret to be removed', secretGone, 15_000);
  });

  it('queues sessions over the policy\'s per-entity cap and starts them in order as slots free', async () => {
    const { server } = await startBackend();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await launch(server, 'sleep 1', { templateRef: 'template:default/capped' }));
    let mostAtOnce = 0;
    await waitFor('every capped session to finish', async () => {
      // One query, so the statuses are of one moment (requests one after the other could see a session
      // still running and the next one already started).
      const all = await knex('agents_sessions').whereIn('id', ids).select('status');
      mostAtOnce = Math.max(mostAtOnce, all.filter(x => ['starting', 'running'].includes(x.status)).length);
      return all.every(x => x.status === 'succeeded') ? true : undefined;
    });
    expect(mostAtOnce).toBe(1);
    const sessions = await Promise.all(
      ids.map(async id => (await request(server).get(`/api/agents/sessions/${id}`).set(auth)).body),
    );
    const started = sessions.map(x => Date.parse(x.startedAt));
    expect([...started].sort((a, b) => a - b)).toEqual(started);
  });

  it('holds a cap of 10 across a fan-out of 50 tasks, runs them all, and finishes the fan-out with them', async () => {
    const { server } = await startBackend();
    const templateRef = 'template:default/fanout';
    const fanOut = await launch(server, 'Implement 001-ledger', { kind: 'fanout', origin: 'speckit', templateRef });
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        launch(server, 'sleep 1', {
          templateRef,
          parentSessionId: fanOut,
          origin: 'speckit',
          taskId: `T${i}`,
          workBranch: `specs/001-ledger/T${i}-async`,
        }),
      ),
    );
    let mostAtOnce = 0;
    let counts = '';
    const rows = await waitFor('every session of the fan-out to finish', async () => {
      const all = await knex('agents_sessions').whereIn('id', ids).select('id', 'status');
      mostAtOnce = Math.max(mostAtOnce, all.filter(r => ['starting', 'running'].includes(r.status)).length);
      counts = JSON.stringify(all.reduce<Record<string, number>>((c, r) => ({ ...c, [r.status]: (c[r.status] ?? 0) + 1 }), {}));
      return all.every(r => ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(r.status)) ? all : undefined;
    }, 150_000).catch(error => {
      throw new Error(`${error.message}; the tasks stood at ${counts}`);
    });
    expect(mostAtOnce).toBeGreaterThan(1);
    expect(mostAtOnce).toBeLessThanOrEqual(10);
    // Say how the tasks ended, and why those that did not succeed did not.
    const reasons = await knex('agents_runs').whereIn('session_id', ids).whereNotNull('reason').pluck('reason');
    expect({ statuses: [...new Set(rows.map(r => r.status))], reasons: [...new Set(reasons)] }).toEqual({
      statuses: ['succeeded'],
      reasons: [],
    });
    const parent = await untilStatus(server, fanOut, ['succeeded', 'failed', 'cancelled', 'timed_out']);
    expect(parent).toMatchObject({ kind: 'fanout', runs: [], children: { total: 50, byStatus: { succeeded: 50 } } });
    const pods = await core.listNamespacedPod({ namespace: 'agents', labelSelector: `agents.backstage.io/session=${fanOut}` });
    expect(pods.items).toEqual([]);
  }, 240_000);

  it("holds the per-owner cap across the owning team's entities", async () => {
    const { server } = await startBackend();
    const ids: string[] = [];
    for (const entityRef of ['payments', 'ledger', 'payments', 'ledger', 'payments']) {
      ids.push(await launch(server, 'sleep 1', { entityRef, templateRef: 'template:default/team' }));
    }
    let mostAtOnce = 0;
    await waitFor("every session of the team's to finish", async () => {
      const rows = await knex('agents_sessions').whereIn('id', ids).select('status');
      mostAtOnce = Math.max(mostAtOnce, rows.filter(r => ['starting', 'running'].includes(r.status)).length);
      return rows.every(r => r.status === 'succeeded') ? true : undefined;
    });
    expect(mostAtOnce).toBe(2);
  });

  it('runs a template\'s sessions under its bound egress profile whatever the request says', async () => {
    const { server } = await startBackend();
    const sneaky = await request(server)
      .post('/api/agents/sessions')
      .set(auth)
      .send({ entityRef: 'payments', prompt: 'sleep 2', egressProfile: 'internet' });
    expect(sneaky.status).toBe(400);
    const labelOf = async (id: string) =>
      waitFor(`the pod of ${id}`, async () => {
        const pods = await core.listNamespacedPod({ namespace: 'agents', labelSelector: `agents.backstage.io/session=${id}` });
        return pods.items[0]?.metadata?.labels?.['agents.backstage.io/egress'];
      });
    const locked = await launch(server, 'sleep 2');
    expect(await labelOf(locked)).toBe('github-only');
    const open = await launch(server, 'sleep 2', { templateRef: 'template:default/open' });
    expect(await labelOf(open)).toBe('internet');
    await untilStatus(server, open, ['succeeded', 'failed', 'timed_out']);
    await untilStatus(server, locked, ['succeeded', 'failed', 'timed_out']);
  });

  it('refuses to launch under an egress profile whose NetworkPolicy is missing, until it is applied', async () => {
    const networking = sim.kubeConfig.makeApiClient(NetworkingV1Api);
    const name = 'agents-egress-github-only';
    const saved = await networking.readNamespacedNetworkPolicy({ name, namespace: 'agents' });
    await networking.deleteNamespacedNetworkPolicy({ name, namespace: 'agents' });
    try {
      const { server, metrics } = await startBackend();
      const id = await launch(server, 'add refunds');
      const refused = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
      expect(refused.status).toBe('failed');
      // A run that fails at launch is counted; it never ran, so it has no launch latency.
      expect(metrics.sum(RECONCILER_METRICS.runsFinished, { outcome: 'failed', harness: 'opencode' })).toBe(1);
      expect(metrics.measurements(RECONCILER_METRICS.launchLatency)).toEqual([]);
      expect(refused.runs[0].reason).toBe(
        "Refusing to launch: egress profile 'github-only' is not enforced: NetworkPolicy agents-egress-github-only missing in namespace agents; apply the agents NetworkPolicies from deploy/ (docs/deploy.md)",
      );
      expect(await managedObjects()).toBe(0);

      const { metadata, spec } = saved;
      await networking.createNamespacedNetworkPolicy({
        namespace: 'agents',
        body: { metadata: { name: metadata!.name, labels: metadata!.labels }, spec },
      });
      const again = await launch(server, 'add refunds');
      expect((await untilStatus(server, again, ['succeeded', 'failed', 'timed_out'])).status).toBe('succeeded');
    } finally {
      await networking
        .createNamespacedNetworkPolicy({ namespace: 'agents', body: { metadata: { name: saved.metadata!.name, labels: saved.metadata!.labels }, spec: saved.spec } })
        .catch(() => undefined);
    }
  });
});
