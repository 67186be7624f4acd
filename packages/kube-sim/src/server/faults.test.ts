import { CoreV1Api } from '@kubernetes/client-node';
import { ADMIN_FAULTS_PATH, KubeSim, startKubeSim } from '../index';
import { eventually, recordWatch, statusOf } from '../testHelpers';

describe('fault injection', () => {
  let sim: KubeSim;
  let core: CoreV1Api;

  beforeEach(async () => {
    sim = await startKubeSim();
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
  });
  afterEach(() => sim.stop());

  it('fails the next N matching requests with a Status, then recovers', async () => {
    sim.faults.failNext({
      count: 2,
      method: 'GET',
      pathIncludes: '/configmaps',
    });
    // A non-matching request is unaffected.
    await core.createNamespacedConfigMap({
      namespace: 'default',
      body: { metadata: { name: 'c' } },
    });
    for (let i = 0; i < 2; i++) {
      expect(
        await statusOf(
          core.readNamespacedConfigMap({ namespace: 'default', name: 'c' }),
        ),
      ).toMatchObject({
        kind: 'Status',
        code: 500,
        reason: 'InternalError',
      });
    }
    expect(
      (await core.readNamespacedConfigMap({ namespace: 'default', name: 'c' }))
        .metadata?.name,
    ).toBe('c');
    expect(sim.faults.injectedFailures).toBe(2);

    sim.faults.failNext({ code: 429 });
    expect(await statusOf(core.listNamespace())).toMatchObject({
      code: 429,
      reason: 'TooManyRequests',
      details: { retryAfterSeconds: 1 },
    });
  });

  it('answers matching requests late, as a slow API server would', async () => {
    sim.faults.delayNext({ delayMs: 300, count: 1, method: 'GET', pathIncludes: '/namespaces' });
    const slow = Date.now();
    await core.listNamespace();
    expect(Date.now() - slow).toBeGreaterThanOrEqual(290);
    // Consumed: the next one is not held back, and nothing failed.
    const order: string[] = [];
    sim.faults.delayNext({ delayMs: 300, count: 1, pathIncludes: '/configmaps' });
    await Promise.all([
      core.listNamespacedConfigMap({ namespace: 'default' }).then(() => order.push('delayed')),
      core.listNamespace().then(() => order.push('prompt')),
    ]);
    expect(order).toEqual(['prompt', 'delayed']);
    expect(sim.faults.injectedFailures).toBe(0);
  });

  it('drops open watches', async () => {
    const watch = await recordWatch(sim.kubeConfig, '/api/v1/pods');
    await eventually(() => sim.faults.openWatches === 1);
    expect(sim.faults.dropWatches()).toBe(1);
    await watch.done;
    expect(sim.faults.openWatches).toBe(0);
  });

  it('is reachable over HTTP for tests running out of process', async () => {
    const post = async (body: unknown) =>
      (
        await fetch(`${sim.url}${ADMIN_FAULTS_PATH}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'Content-Type': 'application/json' },
        })
      ).json();
    const watch = await recordWatch(sim.kubeConfig, '/api/v1/namespaces');
    await eventually(() => sim.faults.openWatches === 1);
    expect(
      await post({ dropWatches: true, failNext: { count: 1, code: 503 } }),
    ).toMatchObject({ droppedWatches: 1, openWatches: 0 });
    await watch.done;
    expect(await statusOf(core.listNamespace())).toMatchObject({ code: 503 });

    const before = await core.listNamespace();
    await core.createNamespace({ body: { metadata: { name: 'later' } } });
    await post({ compact: true });
    const stale = await recordWatch(sim.kubeConfig, '/api/v1/namespaces', {
      resourceVersion: before.metadata?.resourceVersion,
    });
    await stale.done;
    expect(stale.events[0]).toMatchObject({
      type: 'ERROR',
      object: { code: 410 },
    });
  });
});
