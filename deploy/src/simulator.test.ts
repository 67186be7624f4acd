import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeSim, startKubeSim } from '@backstage-agents/kube-sim';
import { buildRunManifests } from '@backstage-agents/plugin-agents-backend/testUtils';
import { ENVIRONMENTS, Environment } from './lib/paths';
import {
  K8sObject,
  helmTemplate,
  idOf,
  renderOverlay,
  runAsync,
} from './lib/render';
import { isCustomResource } from './lib/schemas';

jest.setTimeout(120_000);

/**
 * The manifests applied with kubectl to the cluster simulator (packages/kube-sim), which validates
 * objects like the API server and enforces Pod Security Admission. Custom resources
 * (ExternalSecret, CiliumNetworkPolicy) are left out: the simulator serves no CRDs, and their
 * schemas are checked in manifests.test.ts.
 */
describe('applying the manifests to the cluster simulator', () => {
  let sim: KubeSim;
  let work: string;
  let kubeconfig: string;

  beforeEach(async () => {
    work = mkdtempSync(join(tmpdir(), 'deploy-sim-'));
    kubeconfig = join(work, 'kubeconfig');
    sim = await startKubeSim({ kubeconfigPath: kubeconfig });
  });
  afterEach(async () => {
    await sim.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const kubectl = (...args: string[]) =>
    runAsync('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      env: { ...process.env, KUBECACHEDIR: join(work, 'cache') },
    });

  async function apply(objects: K8sObject[]): Promise<string[]> {
    const file = join(work, 'manifests.json');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: objects.filter(o => !isCustomResource(o)),
      }),
    );
    return (await kubectl('apply', '-f', file)).trim().split('\n');
  }

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };

  /** A pod from a Deployment's template, as its ReplicaSet would create it. */
  const podFromTemplate = (deployment: K8sObject) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...deployment.spec.template.metadata,
      name: `${deployment.metadata.name}-pod`,
    },
    spec: deployment.spec.template.spec,
  });

  async function expectAppliedCleanly(objects: K8sObject[]) {
    const expected = objects.filter(o => !isCustomResource(o));
    const created = await apply(objects);
    expect(created).toHaveLength(expected.length);
    for (const line of created) expect(line).toMatch(/ created$/);
    // A second apply changes nothing. kubectl always re-sends a PodDisruptionBudget's selector
    // (its patch strategy is "replace") and so prints "configured"; the server changes nothing.
    for (const line of await apply(objects)) {
      expect(line).toMatch(
        line.startsWith('poddisruptionbudget')
          ? / (unchanged|configured)$/
          : / unchanged$/,
      );
    }
    const generations = await kubectl(
      'get',
      'deployments,poddisruptionbudgets',
      '-A',
      '-o',
      'jsonpath={.items[*].metadata.generation}',
    );
    expect(new Set(generations.trim().split(/\s+/))).toEqual(new Set(['1']));
    // What the backend looks up at start-up: the NetworkPolicy of each egress profile.
    for (const profile of ['github-only', 'internet']) {
      const names = await kubectl(
        'get',
        'networkpolicies',
        '-n',
        'agents',
        '-o',
        'name',
        '-l',
        `agents.backstage.io/egress-profile=${profile}`,
      );
      expect(names).toContain(
        `networkpolicy.networking.k8s.io/agents-egress-${profile}`,
      );
    }
    // Every workload's pods are admitted under their namespace's restricted policy.
    for (const deployment of expected.filter(o => o.kind === 'Deployment')) {
      const { status, body } = await api(
        'POST',
        `/api/v1/namespaces/${deployment.metadata.namespace}/pods`,
        podFromTemplate(deployment),
      );
      expect([idOf(deployment), status, body.message]).toEqual([
        idOf(deployment),
        201,
        undefined,
      ]);
    }
  }

  it.each(ENVIRONMENTS)(
    'the %s overlay applies cleanly, twice',
    async (env: Environment) => {
      await expectAppliedCleanly(renderOverlay(env));
    },
  );

  it('the Helm chart (dev values) applies cleanly, twice', async () => {
    await expectAppliedCleanly(helmTemplate('dev'));
  });

  describe('harness pods in the agents namespace of the dev overlay', () => {
    const session = {
      id: '1d46c37b-bc69-478d-ad05-016e780b3b82',
      entityRef: 'component:default/payments-service',
      repoUrl: 'https://github.com/example-org/payments-service',
      baseBranch: 'main',
      workBranch: 'agents/1d46c37b',
      harness: 'opencode',
      prompt: 'Add refunds',
    } as any;
    const run_ = {
      id: '53ad1631-6187-4fae-9fd7-6f092ae0b5f6',
      sessionId: session.id,
      attempt: 1,
      kind: 'initial',
      prompt: 'Add refunds',
    } as any;
    const policy = {
      name: 'default',
      allowedHarnesses: ['opencode'],
      defaultHarness: 'opencode',
      egressProfile: 'github-only',
      resources: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi' },
      timeoutSeconds: 1800,
      draftPullRequest: true,
    } as any;
    const manifests = () =>
      buildRunManifests({
        session,
        run: run_,
        policy,
        namespace: 'agents',
        defaultImage: 'ghcr.io/backstage-agents/harness:dev',
        runToken: 'run-token',
        gitToken: 'git-token',
        apiUrl: 'http://backstage.backstage.svc.cluster.local:7007/api/agents',
        envFromSecrets: ['agents-harness-credentials'],
      } as any);

    beforeEach(async () => {
      await apply(renderOverlay('dev'));
    });

    it('admits the pod the backend builds, with its Secret', async () => {
      const { secret, pod } = manifests();
      const createdSecret = await api(
        'POST',
        '/api/v1/namespaces/agents/secrets',
        secret,
      );
      expect(createdSecret.status).toBe(201);
      const created = await api('POST', '/api/v1/namespaces/agents/pods', pod);
      expect([created.status, created.body.message]).toEqual([201, undefined]);
      expect(created.body.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'backstage-agents',
        'agents.backstage.io/egress': 'github-only',
      });
      // kubectl sees it, as the backend's reconciler lists it.
      expect(
        await kubectl(
          'get',
          'pods',
          '-n',
          'agents',
          '-l',
          'app.kubernetes.io/managed-by=backstage-agents',
          '-o',
          'name',
        ),
      ).toContain(`pod/${pod.metadata!.name}`);
    });

    it('refuses a pod that drops the restricted settings, naming every violation', async () => {
      const { pod } = manifests();
      const spec: any = pod.spec;
      delete spec.securityContext;
      delete spec.containers[0].securityContext;
      spec.hostNetwork = true;
      spec.volumes.push({
        name: 'docker',
        hostPath: { path: '/var/run/docker.sock' },
      });
      spec.containers[0].volumeMounts.push({
        name: 'docker',
        mountPath: '/var/run/docker.sock',
      });
      pod.metadata!.name = 'agents-run-non-compliant';
      const refused = await api('POST', '/api/v1/namespaces/agents/pods', pod);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({
        kind: 'Status',
        reason: 'Forbidden',
        code: 403,
      });
      expect(refused.body.message).toBe(
        'pods "agents-run-non-compliant" is forbidden: violates PodSecurity "restricted:v1.32": ' +
          'host namespaces (hostNetwork=true), ' +
          'allowPrivilegeEscalation != false (container "harness" must set securityContext.allowPrivilegeEscalation=false), ' +
          'unrestricted capabilities (container "harness" must set securityContext.capabilities.drop=["ALL"]), ' +
          'restricted volume types (volume "docker" uses restricted volume type "hostPath"), ' +
          'runAsNonRoot != true (pod or container "harness" must set securityContext.runAsNonRoot=true), ' +
          'seccompProfile (pod or container "harness" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      );
    });

    it('refuses a privileged pod through kubectl too', async () => {
      await expect(
        kubectl(
          'run',
          'root-shell',
          '-n',
          'agents',
          '--image=busybox:1.36',
          '--restart=Never',
          '--overrides={"spec":{"containers":[{"name":"root-shell","image":"busybox:1.36","securityContext":{"privileged":true}}]}}',
        ),
      ).rejects.toThrow(
        /pods "root-shell" is forbidden: violates PodSecurity "restricted:v1.32": privileged \(container "root-shell" must not set securityContext.privileged=true\)/,
      );
    });
  });
});
