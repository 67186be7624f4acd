import { CoreV1Api } from '@kubernetes/client-node';
import { KubeSim, startKubeSim } from '../index';
import { statusOf } from '../testHelpers';
import {
  PodSecurityPolicy,
  evaluatePodSecurity,
  namespacePolicy,
} from './podSecurity';

const RESTRICTED: PodSecurityPolicy = {
  level: 'restricted',
  version: 'latest',
};
const BASELINE: PodSecurityPolicy = { level: 'baseline', version: 'latest' };

/** A pod that meets the restricted profile; tests break one rule at a time. */
function compliantSpec(): any {
  return {
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [
      {
        name: 'main',
        image: 'example/app:1',
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
      },
    ],
    volumes: [
      { name: 'work', emptyDir: {} },
      { name: 'creds', secret: { secretName: 's' } },
      { name: 'conf', configMap: { name: 'c' } },
      { name: 'token', projected: { sources: [] } },
      { name: 'data', persistentVolumeClaim: { claimName: 'd' } },
    ],
  };
}

const evaluate = (
  spec: any,
  policy: PodSecurityPolicy = RESTRICTED,
  metadata: any = {},
) => evaluatePodSecurity(policy, metadata, spec);

describe('evaluatePodSecurity', () => {
  it('admits a compliant pod at every level', () => {
    for (const level of ['privileged', 'baseline', 'restricted'] as const) {
      expect(evaluate(compliantSpec(), { level, version: 'latest' })).toEqual({
        allowed: true,
        reasons: [],
        details: [],
        detail: '',
      });
    }
  });

  it('words a bare container exactly like the API server', () => {
    const result = evaluate({
      containers: [{ name: 'nginx', image: 'nginx' }],
    });
    expect(result.allowed).toBe(false);
    expect(result.detail).toBe(
      'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it('reports baseline violations before restricted ones, and pluralizes', () => {
    const spec = compliantSpec();
    spec.hostNetwork = true;
    spec.hostPID = true;
    spec.initContainers = [
      {
        name: 'init',
        image: 'x',
        securityContext: {
          privileged: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
      },
    ];
    spec.containers[0].securityContext.privileged = true;
    spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    expect(evaluate(spec).detail).toBe(
      'host namespaces (hostNetwork=true, hostPID=true), ' +
        'privileged (containers "init", "main" must not set securityContext.privileged=true), ' +
        'allowPrivilegeEscalation != false (container "main" must set securityContext.allowPrivilegeEscalation=false)',
    );
  });

  it('allows only NET_BIND_SERVICE to be added under restricted', () => {
    const spec = compliantSpec();
    spec.containers[0].securityContext.capabilities = {
      drop: ['ALL'],
      add: ['NET_BIND_SERVICE'],
    };
    expect(evaluate(spec).allowed).toBe(true);
    spec.containers[0].securityContext.capabilities.add = [
      'NET_RAW',
      'NET_BIND_SERVICE',
      'CHOWN',
    ];
    expect(evaluate(spec).detail).toBe(
      'unrestricted capabilities (container "main" must not include "CHOWN", "NET_RAW" in securityContext.capabilities.add)',
    );
    spec.containers[0].securityContext.capabilities = { add: ['SYS_ADMIN'] };
    expect(evaluate(spec).detail).toBe(
      'unrestricted capabilities (container "main" must set securityContext.capabilities.drop=["ALL"]; ' +
        'container "main" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    );
  });

  it('baseline allows the default capabilities and refuses others', () => {
    const spec = { containers: [{ name: 'a', image: 'x' }] };
    expect(evaluate(spec, BASELINE).allowed).toBe(true);
    (spec.containers[0] as any).securityContext = {
      capabilities: { add: ['CHOWN', 'SYS_ADMIN', 'NET_ADMIN'] },
    };
    expect(evaluate(spec, BASELINE).detail).toBe(
      'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_ADMIN" in securityContext.capabilities.add)',
    );
  });

  it('checks runAsNonRoot at pod and container level', () => {
    const spec = compliantSpec();
    spec.securityContext.runAsNonRoot = false;
    expect(evaluate(spec).detail).toBe(
      'runAsNonRoot != true (pod must not set securityContext.runAsNonRoot=false)',
    );
    delete spec.securityContext.runAsNonRoot;
    spec.containers[0].securityContext.runAsNonRoot = true;
    expect(evaluate(spec).allowed).toBe(true);
    spec.containers[0].securityContext.runAsNonRoot = false;
    expect(evaluate(spec).detail).toBe(
      'runAsNonRoot != true (container "main" must not set securityContext.runAsNonRoot=false)',
    );
  });

  it('refuses runAsUser=0', () => {
    const spec = compliantSpec();
    spec.securityContext.runAsUser = 0;
    spec.containers[0].securityContext.runAsUser = 0;
    expect(evaluate(spec).detail).toBe(
      'runAsUser=0 (pod and container "main" must not set runAsUser=0)',
    );
  });

  it('accepts RuntimeDefault and Localhost seccomp profiles and refuses Unconfined', () => {
    const spec = compliantSpec();
    spec.securityContext.seccompProfile = {
      type: 'Localhost',
      localhostProfile: 'p.json',
    };
    expect(evaluate(spec).allowed).toBe(true);
    spec.securityContext.seccompProfile = { type: 'Unconfined' };
    expect(evaluate(spec).detail).toBe(
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    expect(evaluate(spec, BASELINE).detail).toBe(
      'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    delete spec.securityContext.seccompProfile;
    spec.containers[0].securityContext.seccompProfile = {
      type: 'RuntimeDefault',
    };
    expect(evaluate(spec).allowed).toBe(true);
  });

  it('limits volumes to the restricted types and forbids hostPath under baseline', () => {
    const spec = compliantSpec();
    spec.volumes.push(
      { name: 'host', hostPath: { path: '/etc' } },
      { name: 'share', nfs: { server: 'n', path: '/' } },
    );
    expect(evaluate(spec).detail).toBe(
      'restricted volume types (volumes "host", "share" use restricted volume types "hostPath", "nfs")',
    );
    expect(evaluate(spec, BASELINE).detail).toBe(
      'hostPath volumes (volume "host")',
    );
    spec.volumes = [{ name: 'repo', gitRepo: { repository: 'r' } }];
    expect(evaluate(spec).detail).toBe(
      'restricted volume types (volume "repo" uses restricted volume type "gitRepo")',
    );
  });

  it('forbids host namespaces and host ports', () => {
    const spec = compliantSpec();
    spec.hostIPC = true;
    spec.containers[0].ports = [
      { containerPort: 80, hostPort: 80 },
      { containerPort: 443, hostPort: 443 },
    ];
    expect(evaluate(spec, BASELINE).detail).toBe(
      'host namespaces (hostIPC=true), hostPort (container "main" uses hostPorts 443, 80)',
    );
  });

  it('forbids an unmasked procMount, unsafe sysctls, SELinux overrides and hostProcess', () => {
    const spec = compliantSpec();
    spec.containers[0].securityContext.procMount = 'Unmasked';
    spec.securityContext.sysctls = [
      { name: 'net.ipv4.tcp_syncookies', value: '1' },
      { name: 'kernel.msgmax', value: '1' },
    ];
    spec.securityContext.seLinuxOptions = { type: 'spc_t', user: 'root' };
    spec.securityContext.windowsOptions = { hostProcess: true };
    expect(evaluate(spec, BASELINE).reasons).toEqual([
      'procMount',
      'seLinuxOptions',
      'forbidden sysctls',
      'hostProcess',
    ]);
    expect(evaluate(spec, BASELINE).detail).toBe(
      'procMount (container "main" must not set securityContext.procMount to "Unmasked"), ' +
        'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set), ' +
        'forbidden sysctls (kernel.msgmax), ' +
        'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
    );
    spec.securityContext.seLinuxOptions = {
      type: 'container_t',
      level: 's0:c1',
    };
    spec.containers[0].securityContext.procMount = 'Default';
    delete spec.securityContext.sysctls;
    delete spec.securityContext.windowsOptions;
    expect(evaluate(spec).allowed).toBe(true);
  });

  it('forbids AppArmor Unconfined in fields and annotations', () => {
    const spec = compliantSpec();
    spec.containers[0].securityContext.appArmorProfile = { type: 'Unconfined' };
    const metadata = {
      annotations: {
        'container.apparmor.security.beta.kubernetes.io/main': 'unconfined',
      },
    };
    expect(evaluate(spec, BASELINE, metadata).detail).toBe(
      'forbidden AppArmor profiles (container "main" and annotation must not set AppArmor profile type to ' +
        '"Unconfined", "container.apparmor.security.beta.kubernetes.io/main="unconfined"")',
    );
    spec.containers[0].securityContext.appArmorProfile = {
      type: 'RuntimeDefault',
    };
    metadata.annotations[
      'container.apparmor.security.beta.kubernetes.io/main'
    ] = 'localhost/profile';
    expect(evaluate(spec, RESTRICTED, metadata).allowed).toBe(true);
  });

  it('skips checks newer than the pinned version and Linux-only checks for Windows pods', () => {
    const spec = compliantSpec();
    spec.securityContext.runAsUser = 0;
    delete spec.containers[0].securityContext.capabilities;
    expect(
      evaluate(spec, { level: 'restricted', version: 'v1.21' }).allowed,
    ).toBe(true);
    expect(
      evaluate(spec, { level: 'restricted', version: 'v1.22' }).reasons,
    ).toEqual(['unrestricted capabilities']);
    expect(evaluate(spec).reasons).toEqual([
      'unrestricted capabilities',
      'runAsUser=0',
    ]);
    const windows = {
      os: { name: 'windows' },
      containers: [{ name: 'w', image: 'x' }],
    };
    expect(evaluate(windows).reasons).toEqual(['runAsNonRoot != true']);
  });
});

describe('namespacePolicy', () => {
  const label = (mode: string, value: string) => ({
    [`pod-security.kubernetes.io/${mode}`]: value,
  });

  it('reads level and version per mode, privileged without labels', () => {
    expect(namespacePolicy(undefined)).toEqual({
      level: 'privileged',
      version: 'latest',
    });
    expect(
      namespacePolicy({
        ...label('enforce', 'baseline'),
        ...label('enforce-version', 'v1.30'),
        ...label('warn', 'restricted'),
      }),
    ).toEqual({ level: 'baseline', version: 'v1.30' });
    expect(namespacePolicy(label('warn', 'restricted'), 'warn')).toEqual({
      level: 'restricted',
      version: 'latest',
    });
  });

  it('falls back to restricted:latest for values it cannot parse', () => {
    expect(
      namespacePolicy({
        ...label('enforce', 'strict'),
        ...label('enforce-version', '1.30'),
      }),
    ).toEqual({ level: 'restricted', version: 'latest' });
  });
});

describe('Pod Security Admission in the API server', () => {
  let sim: KubeSim;
  let core: CoreV1Api;

  beforeEach(async () => {
    sim = await startKubeSim();
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
  });
  afterEach(() => sim.stop());

  const namespace = async (name: string, labels: Record<string, string>) =>
    core.createNamespace({ body: { metadata: { name, labels } } });

  it('refuses a violating pod with 403 Forbidden in an enforcing namespace', async () => {
    await namespace('locked', {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    });
    const status = await statusOf(
      core.createNamespacedPod({
        namespace: 'locked',
        body: {
          metadata: { name: 'x' },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        },
      }),
    );
    expect(status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
      details: { name: 'x', kind: 'pods' },
    });
    expect(status.message).toBe(
      'pods "x" is forbidden: violates PodSecurity "restricted:latest": ' +
        'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
    const pods = await core.listNamespacedPod({ namespace: 'locked' });
    expect(pods.items).toEqual([]);
  });

  it('admits a compliant pod, and any pod where nothing is enforced', async () => {
    await namespace('locked', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    await namespace('warn-only', {
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    await core.createNamespacedPod({
      namespace: 'locked',
      body: { metadata: { name: 'ok' }, spec: compliantSpec() },
    });
    await core.createNamespacedPod({
      namespace: 'warn-only',
      body: {
        metadata: { name: 'loose' },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'root' },
        spec: {
          hostNetwork: true,
          containers: [
            {
              name: 'c',
              image: 'busybox',
              securityContext: { privileged: true },
            },
          ],
        },
      },
    });
  });

  it('names the version the namespace pins and enforces baseline', async () => {
    await namespace('base', {
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.29',
    });
    const status = await statusOf(
      core.createNamespacedPod({
        namespace: 'base',
        body: {
          metadata: { name: 'priv' },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'busybox',
                securityContext: { privileged: true },
              },
            ],
          },
        },
      }),
    );
    expect(status.code).toBe(403);
    expect(status.message).toBe(
      'pods "priv" is forbidden: violates PodSecurity "baseline:v1.29": privileged (container "c" must not set securityContext.privileged=true)',
    );
    await core.createNamespacedPod({
      namespace: 'base',
      body: {
        metadata: { name: 'plain' },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    });
  });

  it('validates the object before Pod Security', async () => {
    await namespace('locked', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const status = await statusOf(
      core.createNamespacedPod({
        namespace: 'locked',
        body: {
          metadata: { name: 'Bad_Name' },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        },
      }),
    );
    expect(status.code).toBe(422);
  });
});
