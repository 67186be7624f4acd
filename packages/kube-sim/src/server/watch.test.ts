import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { KubeSim, startKubeSim } from '../index';
import { eventually, recordWatch } from '../testHelpers';

describe('watch', () => {
  let sim: KubeSim;
  let core: CoreV1Api;
  const namespace = 'default';
  const path = `/api/v1/namespaces/${namespace}/configmaps`;

  beforeEach(async () => {
    sim = await startKubeSim({ bookmarkIntervalMs: 100 });
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
  });
  afterEach(() => sim.stop());

  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const summary = (events: Array<{ type: string; object: any }>) =>
    events
      .filter(e => e.type !== 'BOOKMARK')
      .map(e => `${e.type} ${e.object.metadata.name}`);

  it('streams ADDED, MODIFIED and DELETED with increasing resourceVersions', async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'existing' } },
    });
    const list = await core.listNamespacedConfigMap({ namespace });
    const watch = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'a' } },
    });
    await core.patchNamespacedConfigMap(
      { namespace, name: 'a', body: { data: { k: 'v' } } },
      mergePatch,
    );
    await core.deleteNamespacedConfigMap({ namespace, name: 'a' });
    await eventually(() => watch.events.length >= 3);
    watch.stop();
    expect(summary(watch.events)).toEqual([
      'ADDED a',
      'MODIFIED a',
      'DELETED a',
    ]);
    expect(watch.events[1].object.data).toEqual({ k: 'v' });
    const versions = watch.events.map(e =>
      Number(e.object.metadata.resourceVersion),
    );
    expect([...versions].sort((x, y) => x - y)).toEqual(versions);
    expect(new Set(versions).size).toBe(3);
  });

  it('starts with synthetic ADDED events when no resourceVersion is given', async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'one' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'two' } },
    });
    const watch = await recordWatch(sim.kubeConfig, path);
    await eventually(() => watch.events.length >= 2);
    watch.stop();
    expect(summary(watch.events)).toEqual(['ADDED one', 'ADDED two']);
  });

  it('resumes from a resourceVersion, replaying only later events', async () => {
    const first = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'first' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'second' } },
    });
    await core.deleteNamespacedConfigMap({ namespace, name: 'first' });
    const watch = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: first.metadata?.resourceVersion,
    });
    await eventually(() => watch.events.length >= 2);
    watch.stop();
    expect(summary(watch.events)).toEqual(['ADDED second', 'DELETED first']);
  });

  it('sends an ERROR event with a 410 Status for a compacted resourceVersion', async () => {
    const old = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'old' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'newer' } },
    });
    sim.faults.compact();
    const watch = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: old.metadata?.resourceVersion,
    });
    await watch.done;
    expect(watch.events).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
          message: expect.stringContaining('too old resource version'),
        }),
      },
    ]);
    // The current version is still resumable.
    const list = await core.listNamespacedConfigMap({ namespace });
    const fresh = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: list.metadata?.resourceVersion,
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'after' } },
    });
    await eventually(() => fresh.events.some(e => e.type === 'ADDED'));
    fresh.stop();
  });

  it('expires history beyond the retained window', async () => {
    await sim.stop();
    sim = await startKubeSim({ watchWindow: 2 });
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
    const first = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'c1' } },
    });
    for (const name of ['c2', 'c3', 'c4'])
      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name } },
      });
    const watch = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: first.metadata?.resourceVersion,
    });
    await watch.done;
    expect(watch.events[0].object.code).toBe(410);
  });

  it('sends bookmarks when allowed and ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const watch = await recordWatch(sim.kubeConfig, path, {
      allowWatchBookmarks: true,
      timeoutSeconds: 1,
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'x' } },
    });
    await watch.done;
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const bookmarks = watch.events.filter(e => e.type === 'BOOKMARK');
    expect(bookmarks.length).toBeGreaterThan(2);
    expect(bookmarks[bookmarks.length - 1].object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.stringMatching(/^\d+$/) },
    });
    const plain = await recordWatch(sim.kubeConfig, path, {
      timeoutSeconds: 1,
    });
    await plain.done;
    expect(plain.events.filter(e => e.type === 'BOOKMARK')).toEqual([]);
  });

  it('reports objects entering and leaving a selector as ADDED and DELETED', async () => {
    const list = await core.listNamespacedConfigMap({ namespace });
    const watch = await recordWatch(sim.kubeConfig, path, {
      resourceVersion: list.metadata?.resourceVersion,
      labelSelector: 'app=agent',
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'c' } },
    });
    await core.patchNamespacedConfigMap(
      {
        namespace,
        name: 'c',
        body: { metadata: { labels: { app: 'agent' } } },
      },
      mergePatch,
    );
    await core.patchNamespacedConfigMap(
      { namespace, name: 'c', body: { data: { k: 'v' } } },
      mergePatch,
    );
    await core.patchNamespacedConfigMap(
      {
        namespace,
        name: 'c',
        body: { metadata: { labels: { app: 'other' } } },
      },
      mergePatch,
    );
    await eventually(() => watch.events.length >= 3);
    watch.stop();
    expect(summary(watch.events)).toEqual([
      'ADDED c',
      'MODIFIED c',
      'DELETED c',
    ]);
  });

  it('watches a single object by field selector across namespaces', async () => {
    const watch = await recordWatch(sim.kubeConfig, '/api/v1/configmaps', {
      fieldSelector: 'metadata.name=target',
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'noise' } },
    });
    await core.createNamespace({ body: { metadata: { name: 'other' } } });
    await core.createNamespacedConfigMap({
      namespace: 'other',
      body: { metadata: { name: 'target' } },
    });
    await eventually(() => watch.events.length >= 1);
    watch.stop();
    expect(
      watch.events.map(
        e => `${e.object.metadata.namespace}/${e.object.metadata.name}`,
      ),
    ).toEqual(['other/target']);
  });
});
