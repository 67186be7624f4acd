import {
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { KubeSim, startKubeSim } from '../index';
import { eventually, podSpec, statusOf } from '../testHelpers';

describe('API server semantics', () => {
  let sim: KubeSim;
  let core: CoreV1Api;
  const namespace = 'default';

  beforeEach(async () => {
    sim = await startKubeSim();
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
  });
  afterEach(() => sim.stop());

  const createPod = (name: string, extra: any = {}) =>
    core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name, ...extra.metadata },
        spec: { ...podSpec(['true']), ...extra.spec },
      },
    });

  it('creates objects with server-set metadata and a global resourceVersion', async () => {
    const a = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'a' }, data: { k: 'v' } },
    });
    const b = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'b' } },
    });
    expect(a.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(a.metadata?.generation).toBe(1);
    expect(Number(b.metadata?.resourceVersion)).toBeGreaterThan(
      Number(a.metadata?.resourceVersion),
    );
    const list = await core.listNamespacedConfigMap({ namespace });
    expect(list.items.map(i => i.metadata?.name)).toEqual(['a', 'b']);
    expect(list.metadata?.resourceVersion).toBe(b.metadata?.resourceVersion);
  });

  it('answers 404 NotFound, 409 AlreadyExists and 409 Conflict with Status bodies', async () => {
    expect(
      await statusOf(core.readNamespacedPod({ namespace, name: 'missing' })),
    ).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'NotFound',
      code: 404,
      message: 'pods "missing" not found',
      details: { name: 'missing', kind: 'pods' },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 's' }, stringData: { k: 'v' } },
    });
    expect(
      await statusOf(
        core.createNamespacedSecret({
          namespace,
          body: { metadata: { name: 's' } },
        }),
      ),
    ).toMatchObject({
      reason: 'AlreadyExists',
      code: 409,
      message: 'secrets "s" already exists',
    });
    const current = await core.readNamespacedSecret({ namespace, name: 's' });
    await core.replaceNamespacedSecret({
      namespace,
      name: 's',
      body: { ...current, data: { k: 'dzI=' } },
    });
    // Writing again with the now stale resourceVersion is a conflict.
    expect(
      await statusOf(
        core.replaceNamespacedSecret({
          namespace,
          name: 's',
          body: { ...current, data: { k: 'dzM=' } },
        }),
      ),
    ).toMatchObject({
      reason: 'Conflict',
      code: 409,
      message: expect.stringContaining('the object has been modified'),
    });
    expect(
      await statusOf(
        core.createNamespacedPod({
          namespace: 'nope',
          body: { metadata: { name: 'x' }, spec: podSpec(['true']) },
        }),
      ),
    ).toMatchObject({
      code: 404,
      message: 'namespaces "nope" not found',
    });
  });

  it('converts secret stringData to base64 data', async () => {
    const secret = await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'tok' }, stringData: { token: 'hunter2' } },
    });
    expect(secret.data).toEqual({
      token: Buffer.from('hunter2').toString('base64'),
    });
    expect(secret.stringData).toBeUndefined();
    expect(secret.type).toBe('Opaque');
  });

  it('rejects invalid pods, secrets and network policies with 422 Invalid and causes', async () => {
    const badPod = await statusOf(
      core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'bad' },
          spec: { containers: [{ name: 'Main_1', image: 'x' }] },
        },
      }),
    );
    expect(badPod).toMatchObject({
      code: 422,
      reason: 'Invalid',
      details: { name: 'bad', kind: 'Pod' },
    });
    expect(badPod.details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.containers[0].name' }),
    );

    const badName = await statusOf(
      core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'Not_Valid' } },
      }),
    );
    expect(badName).toMatchObject({
      code: 422,
      details: {
        causes: [expect.objectContaining({ field: 'metadata.name' })],
      },
    });

    const badData = await statusOf(
      core.createNamespacedSecret({
        namespace,
        body: { metadata: { name: 'x' }, data: { k: '%%%' } },
      }),
    );
    expect(badData.details.causes).toContainEqual(
      expect.objectContaining({ field: 'data[k]' }),
    );

    const netpol = sim.kubeConfig.makeApiClient(NetworkingV1Api);
    const badPolicy = await statusOf(
      netpol.createNamespacedNetworkPolicy({
        namespace,
        body: {
          metadata: { name: 'np' },
          spec: { policyTypes: 'Egress' } as any,
        },
      }),
    );
    expect(badPolicy).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(badPolicy.message).toContain('NetworkPolicy "np" is invalid');
    const good = await netpol.createNamespacedNetworkPolicy({
      namespace,
      body: {
        metadata: { name: 'np' },
        spec: { podSelector: {}, policyTypes: ['Egress'] },
      },
    });
    expect(good.metadata?.name).toBe('np');
  });

  it('forbids changing an existing pod spec beyond the mutable fields', async () => {
    await createPod('p');
    const status = await statusOf(
      core.patchNamespacedPod(
        {
          namespace,
          name: 'p',
          body: {
            spec: { containers: [{ name: 'main', command: ['false'] }] },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
    expect(status).toMatchObject({
      code: 422,
      message: expect.stringContaining('pod updates may not change fields'),
    });
    const patched = await core.patchNamespacedPod(
      {
        namespace,
        name: 'p',
        body: {
          spec: {
            activeDeadlineSeconds: 5,
            containers: [{ name: 'main', image: 'other' }],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(patched.spec?.containers[0]).toMatchObject({
      image: 'other',
      command: ['true'],
    });
    expect(patched.metadata?.generation).toBe(2);
  });

  it('supports merge, json and strategic merge patches and keeps status out of main-resource writes', async () => {
    await createPod('p', { metadata: { labels: { a: '1' } } });
    const merged = await core.patchNamespacedPod(
      {
        namespace,
        name: 'p',
        body: {
          metadata: { labels: { b: '2' } },
          status: { phase: 'Running' },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ a: '1', b: '2' });
    expect(merged.status?.phase).toBe('Pending');
    const jsonPatched = await core.patchNamespacedPod({
      namespace,
      name: 'p',
      body: [{ op: 'remove', path: '/metadata/labels/a' }],
    });
    expect(jsonPatched.metadata?.labels).toEqual({ b: '2' });
    const status = await core.patchNamespacedPodStatus(
      {
        namespace,
        name: 'p',
        body: {
          status: { phase: 'Running' },
          metadata: { labels: { ignored: 'yes' } },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(status.status?.phase).toBe('Running');
    expect(status.metadata?.labels).toEqual({ b: '2' });
  });

  it('fills in generateName and filters lists by label and field selectors', async () => {
    const generated = await core.createNamespacedPod({
      namespace,
      body: {
        metadata: {
          generateName: 'agent-',
          labels: { app: 'agent', tier: 'run' },
        },
        spec: podSpec(['true']),
      },
    });
    expect(generated.metadata?.name).toMatch(
      /^agent-[bcdfghjklmnpqrstvwxz2456789]{5}$/,
    );
    await createPod('web', { metadata: { labels: { app: 'web' } } });
    await core.patchNamespacedPodStatus(
      { namespace, name: 'web', body: { status: { phase: 'Running' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );

    const names = async (q: {
      labelSelector?: string;
      fieldSelector?: string;
    }) =>
      (await core.listNamespacedPod({ namespace, ...q })).items.map(
        p => p.metadata?.name,
      );
    expect(await names({ labelSelector: 'app=agent' })).toEqual([
      generated.metadata?.name,
    ]);
    expect(await names({ labelSelector: 'app in (web,db)' })).toEqual(['web']);
    expect(await names({ labelSelector: 'tier' })).toEqual([
      generated.metadata?.name,
    ]);
    expect(await names({ labelSelector: '!tier' })).toEqual(['web']);
    expect(await names({ fieldSelector: 'status.phase=Running' })).toEqual([
      'web',
    ]);
    expect(
      await names({ fieldSelector: 'metadata.name=web,status.phase!=Pending' }),
    ).toEqual(['web']);
    const all = await core.listPodForAllNamespaces({
      fieldSelector: 'metadata.namespace=default,spec.nodeName=',
    });
    expect(all.items).toHaveLength(2);
    expect(
      await statusOf(
        core.listNamespacedPod({ namespace, fieldSelector: 'spec.bogus=x' }),
      ),
    ).toMatchObject({
      code: 400,
      message: 'field label not supported: spec.bogus',
    });
  });

  it('deletes dependents of a deleted owner in the background and orphans them on request', async () => {
    const owner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'owner' } },
    });
    const ownerRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'owner',
      uid: owner.metadata!.uid!,
      controller: true,
    };
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'dep', ownerReferences: [ownerRef] } },
    });
    await createPod('dep-pod', { metadata: { ownerReferences: [ownerRef] } });
    const other = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'other' } },
    });
    const otherRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'other',
      uid: other.metadata!.uid!,
    };
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: { name: 'shared', ownerReferences: [ownerRef, otherRef] },
      },
    });

    const deleted = await core.deleteNamespacedConfigMap({
      namespace,
      name: 'owner',
    });
    expect(deleted).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'owner', kind: 'configmaps', uid: owner.metadata!.uid },
    });
    await eventually(
      async () =>
        (await core.listNamespacedPod({ namespace })).items.length === 0,
    );
    const secrets = (await core.listNamespacedSecret({ namespace })).items.map(
      s => s.metadata?.name,
    );
    // `shared` still has a live owner.
    expect(secrets).toEqual(['shared']);

    const orphanOwner = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'orphan-owner' } },
    });
    await core.createNamespacedSecret({
      namespace,
      body: {
        metadata: {
          name: 'orphan',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              name: 'orphan-owner',
              uid: orphanOwner.metadata!.uid!,
            },
          ],
        },
      },
    });
    await core.deleteNamespacedConfigMap({
      namespace,
      name: 'orphan-owner',
      propagationPolicy: 'Orphan',
    });
    await eventually(
      async () =>
        (
          await core.readNamespacedSecret({ namespace, name: 'orphan' })
        ).metadata?.ownerReferences === undefined,
    );
  });

  it('deletes bound pods gracefully, unbound or zero-grace pods at once', async () => {
    await createPod('unbound');
    await core.deleteNamespacedPod({ namespace, name: 'unbound' });
    expect(
      await statusOf(core.readNamespacedPod({ namespace, name: 'unbound' })),
    ).toMatchObject({ code: 404 });

    await createPod('bound', { spec: { terminationGracePeriodSeconds: 1 } });
    await core.createNamespacedPodBinding({
      namespace,
      name: 'bound',
      body: {
        metadata: { name: 'bound' },
        target: { kind: 'Node', name: 'n1' },
      },
    });
    const bound = await core.readNamespacedPod({ namespace, name: 'bound' });
    expect(bound.spec?.nodeName).toBe('n1');
    expect(bound.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'PodScheduled', status: 'True' }),
    );
    expect(
      await statusOf(
        core.createNamespacedPodBinding({
          namespace,
          name: 'bound',
          body: {
            metadata: { name: 'bound' },
            target: { kind: 'Node', name: 'n2' },
          },
        }),
      ),
    ).toMatchObject({ code: 409 });

    const deleting = await core.deleteNamespacedPod({
      namespace,
      name: 'bound',
    });
    expect(deleting.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(deleting.metadata?.deletionGracePeriodSeconds).toBe(1);
    expect(
      (await core.readNamespacedPod({ namespace, name: 'bound' })).metadata
        ?.deletionTimestamp,
    ).toBeDefined();
    // Nobody confirms, so the pod goes when the grace period elapses.
    await eventually(
      async () =>
        (
          await statusOf(core.readNamespacedPod({ namespace, name: 'bound' }))
        ).code === 404,
      3000,
    );

    await createPod('forced');
    await core.createNamespacedPodBinding({
      namespace,
      name: 'forced',
      body: {
        metadata: { name: 'forced' },
        target: { kind: 'Node', name: 'n1' },
      },
    });
    await core.deleteNamespacedPod({ namespace, name: 'forced' });
    await core.deleteNamespacedPod({
      namespace,
      name: 'forced',
      gracePeriodSeconds: 0,
    });
    expect(
      await statusOf(core.readNamespacedPod({ namespace, name: 'forced' })),
    ).toMatchObject({ code: 404 });
  });

  it('holds deletion of an object with finalizers until they are cleared', async () => {
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    await core.deleteNamespacedConfigMap({ namespace, name: 'held' });
    const held = await core.readNamespacedConfigMap({
      namespace,
      name: 'held',
    });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    await core.patchNamespacedConfigMap(
      { namespace, name: 'held', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(
      await statusOf(core.readNamespacedConfigMap({ namespace, name: 'held' })),
    ).toMatchObject({ code: 404 });
  });

  it('terminates namespaces by deleting their contents first', async () => {
    await core.createNamespace({ body: { metadata: { name: 'team' } } });
    expect(
      (
        await core.readNamespacedServiceAccount({
          namespace: 'team',
          name: 'default',
        })
      ).metadata?.name,
    ).toBe('default');
    await core.createNamespacedConfigMap({
      namespace: 'team',
      body: { metadata: { name: 'c' } },
    });
    // The typed client declares a Status here; the real server (and this one) answers with the Namespace.
    const terminating: any = await core.deleteNamespace({ name: 'team' });
    expect(terminating.status?.phase).toBe('Terminating');
    await eventually(
      async () =>
        (await statusOf(core.readNamespace({ name: 'team' }))).code === 404,
    );
    expect(
      (await core.listNamespacedConfigMap({ namespace: 'team' })).items,
    ).toEqual([]);
  });
});
