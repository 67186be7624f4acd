import { AppsV1Api, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { KubeSim, startKubeSim } from '../index';

/** The list calls Backstage's Kubernetes plugin makes for an entity, across all namespaces. */
const PLUGIN_LISTS = [
  '/api/v1/pods',
  '/api/v1/services',
  '/api/v1/configmaps',
  '/api/v1/limitranges',
  '/api/v1/resourcequotas',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/replicasets',
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/daemonsets',
  '/apis/batch/v1/jobs',
  '/apis/batch/v1/cronjobs',
  '/apis/autoscaling/v2/horizontalpodautoscalers',
  '/apis/networking.k8s.io/v1/ingresses',
];

describe('what the Backstage Kubernetes plugin lists', () => {
  let sim: KubeSim;

  beforeEach(async () => {
    sim = await startKubeSim();
  });
  afterEach(() => sim.stop());

  const list = async (path: string, labelSelector: string) => {
    const response = await fetch(
      `${sim.url}${path}?labelSelector=${encodeURIComponent(labelSelector)}`,
      { headers: { authorization: 'Bearer kube-sim' } },
    );
    return { status: response.status, body: await response.json() };
  };

  it('answers every list call, across namespaces and by label selector', async () => {
    const core = sim.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'agents' } } });
    const batch = sim.kubeConfig.makeApiClient(BatchV1Api);
    const job = (name: string, id: string) => ({
      metadata: { name, labels: { 'backstage.io/kubernetes-id': id } },
      spec: {
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{ name: 'main', image: 'example/job:1' }],
          },
        },
      },
    });
    await batch.createNamespacedJob({
      namespace: 'agents',
      body: job('a', 'payments'),
    });
    await batch.createNamespacedJob({
      namespace: 'default',
      body: job('b', 'payments'),
    });
    await batch.createNamespacedJob({
      namespace: 'default',
      body: job('c', 'other'),
    });

    for (const path of PLUGIN_LISTS) {
      const { status, body } = await list(
        path,
        'backstage.io/kubernetes-id=payments',
      );
      expect({ path, status }).toEqual({ path, status: 200 });
      expect(body.kind).toMatch(/List$/);
      expect(body.metadata.resourceVersion).toEqual(expect.any(String));
    }
    const jobs = await list(
      '/apis/batch/v1/jobs',
      'backstage.io/kubernetes-id=payments',
    );
    expect(
      jobs.body.items
        .map((j: any) => `${j.metadata.namespace}/${j.metadata.name}`)
        .sort(),
    ).toEqual(['agents/a', 'default/b']);
  });

  it('validates the new kinds like the real server', async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    await expect(
      apps.createNamespacedReplicaSet({
        namespace: 'default',
        body: { metadata: { name: 'rs' }, spec: { replicas: 'three' } } as any,
      }),
    ).rejects.toMatchObject({ code: 422 });
    const created = await apps.createNamespacedReplicaSet({
      namespace: 'default',
      body: {
        metadata: { name: 'rs', labels: { app: 'web' } },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'example/web:1' }] },
          },
        },
      },
    });
    expect(created.metadata?.uid).toEqual(expect.any(String));
  });
});
