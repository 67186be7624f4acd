import {
  AppsV1Api,
  CoreV1Api,
  NetworkingV1Api,
  PatchStrategy,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { KubeSim, startKubeSim } from '../index';
import { statusOf } from '../testHelpers';

describe('stored workload kinds', () => {
  let sim: KubeSim;
  const namespace = 'default';

  beforeEach(async () => {
    sim = await startKubeSim();
  });
  afterEach(() => sim.stop());

  const deployment = (labels: Record<string, string> = { app: 'web' }) => ({
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'example/web:1.0',
              ports: [{ containerPort: 7007 }],
            },
          ],
        },
      },
    },
  });

  it('stores Deployments with the server defaults and no controller behind them', async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace,
      body: deployment(),
    });
    expect(created.spec).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate' },
    });
    expect(created.spec?.template.spec?.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent',
      ports: [{ containerPort: 7007, protocol: 'TCP' }],
    });
    expect(created.metadata?.generation).toBe(1);
    const patched = await apps.patchNamespacedDeployment(
      { namespace, name: 'web', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.generation).toBe(2);
    const pods = await sim.kubeConfig
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace });
    expect(pods.items).toEqual([]);
  });

  it('refuses a Deployment whose selector does not match its template', async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    const status = await statusOf(
      apps.createNamespacedDeployment({
        namespace,
        body: deployment({ app: 'other' }),
      }),
    );
    expect(status).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(status.message).toContain(
      'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
    );
  });

  it('gives Services a cluster IP and defaulted ports', async () => {
    const core = sim.kubeConfig.makeApiClient(CoreV1Api);
    const svc = await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'web' },
        spec: {
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 7007 }],
        },
      },
    });
    expect(svc.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ name: 'http', port: 80, targetPort: 7007, protocol: 'TCP' }],
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    const status = await statusOf(
      core.createNamespacedService({
        namespace,
        body: {
          metadata: { name: 'bad' },
          spec: { ports: [{ port: 1 }, { port: 2 }] },
        },
      }),
    );
    expect(status.message).toContain('spec.ports[0].name: Required value');
  });

  it('serves Ingresses, PodDisruptionBudgets and validates RBAC objects', async () => {
    await sim.kubeConfig
      .makeApiClient(NetworkingV1Api)
      .createNamespacedIngress({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: {
            rules: [
              {
                host: 'backstage.example.com',
                http: {
                  paths: [
                    {
                      path: '/',
                      pathType: 'Prefix',
                      backend: {
                        service: { name: 'web', port: { number: 80 } },
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
      });
    await sim.kubeConfig
      .makeApiClient(PolicyV1Api)
      .createNamespacedPodDisruptionBudget({
        namespace,
        body: {
          metadata: { name: 'web' },
          spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } },
        },
      });
    const status = await statusOf(
      sim.kubeConfig
        .makeApiClient(RbacAuthorizationV1Api)
        .createNamespacedRoleBinding({
          namespace,
          body: {
            metadata: { name: 'rb' },
            roleRef: {
              apiGroup: 'rbac.authorization.k8s.io',
              kind: 'User',
              name: 'x',
            },
            subjects: [],
          },
        }),
    );
    expect(status.code).toBe(422);
  });

  it('lists the kinds in discovery and prints kubectl columns', async () => {
    const apps = await fetch(`${sim.url}/apis/apps/v1`).then(r => r.json());
    expect(apps.resources.map((r: any) => r.name)).toEqual([
      'deployments',
      'deployments/status',
      // controllerResources.ts: what Backstage's Kubernetes plugin lists beside them.
      'replicasets',
      'replicasets/status',
      'statefulsets',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
    ]);
    await sim.kubeConfig
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({ namespace, body: deployment() });
    const table = await fetch(
      `${sim.url}/apis/apps/v1/namespaces/default/deployments`,
      {
        headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      },
    ).then(r => r.json());
    expect(table.columnDefinitions.map((c: any) => c.name)).toEqual([
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers',
      'Images',
    ]);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['web', '0/1', 0, 0]);
  });
});
