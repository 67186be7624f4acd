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
import path from 'node:path';
import request from 'supertest';
import { agentsPlugin } from '../plugin';
import { startSimulatedCluster, waitFor, type SimulatedCluster } from '../__testUtils__/simulatedCluster';

jest.setTimeout(180_000);

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
const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

/**
 * Two cluster simulators, configured once as clusters of Backstage's Kubernetes plugin and named by
 * agents.kubernetes.cluster and by a policy: each session runs on its policy's cluster, and one
 * reconciler per cluster brings its status and log back, also after a restart.
 */
describe('harness pods on named clusters', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let east: SimulatedCluster;
  let west: SimulatedCluster;
  let knex: Knex;

  beforeAll(async () => {
    const images = { [IMAGE]: [process.execPath, path.join(__dirname, '__fixtures__', 'fake-harness.js')] };
    [east, west] = await Promise.all([startSimulatedCluster({ images }), startSimulatedCluster({ images })]);
    knex = await databases.init('SQLITE_3');
  });

  const backends: Array<{ stop(): Promise<void> }> = [];
  afterEach(async () => {
    await Promise.all(backends.splice(0).map(b => b.stop().catch(() => undefined)));
  });
  afterAll(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
  });

  // As app-config.yaml states a cluster for the Kubernetes plugin: URL and service-account token.
  const pluginCluster = (name: string, cluster: SimulatedCluster) => ({
    name,
    url: cluster.sim.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: 'kube-sim',
    // The simulators of tests serve plain HTTP.
    skipTLSVerify: true,
  });

  async function startBackend() {
    const backend = await startTestBackend({
      features: [
        agentsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [entity] }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [
                { type: 'config', clusters: [pluginCluster('east', east), pluginCluster('west', west)] },
              ],
            },
            agents: {
              kubernetes: {
                cluster: 'east',
                namespace: 'agents',
                defaultImage: IMAGE,
                resyncInterval: { seconds: 2 },
                reconcilerLease: { seconds: 4 },
                finishedPodTtl: { minutes: 5 },
              },
              git: { rewrites: [{ from: 'https://github.com/', to: 'https://git.example.test/' }] },
              policies: { default: { timeout: { seconds: 60 } }, western: { cluster: 'west' } },
              templatePolicies: [{ template: 'template:default/west', policy: 'western' }],
            },
          },
        }),
      ],
    });
    backends.push(backend);
    return backend;
  }

  const untilStatus = (server: any, id: string, statuses: string[]) =>
    waitFor(`session ${id} to be ${statuses.join('/')}`, async () => {
      const res = await request(server).get(`/api/agents/sessions/${id}`).set(auth);
      return statuses.includes(res.body.status) ? res.body : undefined;
    });

  const launch = async (server: any, prompt: string, extra: object = {}) => {
    const res = await request(server)
      .post('/api/agents/sessions')
      .set(auth)
      .send({ entityRef: 'payments', prompt, ...extra });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  const podsOf = async (cluster: SimulatedCluster, sessionId: string) =>
    (
      await cluster.core.listNamespacedPod({
        namespace: 'agents',
        labelSelector: `agents.backstage.io/session=${sessionId}`,
      })
    ).items;

  const logLines = async (id: string) =>
    (await knex('agents_log_chunks').where({ session_id: id }).orderBy('first_seq')).flatMap(chunk =>
      JSON.parse(chunk.lines).map(([, line]: [string, string]) => line),
    );

  it("runs each session on its policy's cluster and brings back its status and log", async () => {
    const { server } = await startBackend();
    const onEast = await launch(server, 'sleep 3');
    const onWest = await launch(server, 'sleep 3', { templateRef: 'template:default/west' });
    await Promise.all([untilStatus(server, onEast, ['running']), untilStatus(server, onWest, ['running'])]);

    expect(await podsOf(east, onEast)).toHaveLength(1);
    expect(await podsOf(west, onEast)).toHaveLength(0);
    expect(await podsOf(west, onWest)).toHaveLength(1);
    expect(await podsOf(east, onWest)).toHaveLength(0);
    // Each pod shows in the component's Kubernetes tab, on its own cluster.
    expect((await podsOf(west, onWest))[0].metadata?.labels).toMatchObject({
      'backstage.io/kubernetes-id': 'payments',
    });

    for (const [id, cluster] of [
      [onEast, 'east'],
      [onWest, 'west'],
    ]) {
      const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
      expect(session.status).toBe('succeeded');
      expect(session.runs[0]).toMatchObject({ cluster, namespace: 'agents', exitCode: 0 });
      expect(await logLines(id)).toEqual([
        expect.stringMatching(/^harness opencode on /),
        'line 1',
        'line 2',
        'line 3',
        expect.stringMatching(/^AGENTS_RESULT /),
      ]);
    }
  });

  it('re-adopts the runs on both clusters after a restart, with no gap or duplicate in their logs', async () => {
    const first = await startBackend();
    const onEast = await launch(first.server, 'lines 60');
    const onWest = await launch(first.server, 'lines 60', { templateRef: 'template:default/west' });
    await Promise.all([untilStatus(first.server, onEast, ['running']), untilStatus(first.server, onWest, ['running'])]);
    await waitFor('some lines of both', async () =>
      (await logLines(onEast)).length >= 5 && (await logLines(onWest)).length >= 5 ? true : undefined,
    );
    await first.stop();
    // Neither run had ended: the next backend's reconcilers adopt them on their clusters.
    for (const id of [onEast, onWest]) {
      expect((await logLines(id)).length).toBeLessThan(60);
      expect((await knex('agents_sessions').where({ id }).first()).status).toBe('running');
    }

    const { server } = await startBackend();
    for (const id of [onEast, onWest]) {
      const session = await untilStatus(server, id, ['succeeded', 'failed', 'timed_out']);
      expect(session.status).toBe('succeeded');
      expect((await logLines(id)).filter(line => line.startsWith('line '))).toEqual(
        Array.from({ length: 60 }, (_, i) => `line ${i + 1}`),
      );
    }
    expect(await podsOf(east, onEast)).toHaveLength(1);
    expect(await podsOf(west, onWest)).toHaveLength(1);
  });
});
