import type { AgentsPolicy, HarnessRun, Session } from '@backstage-agents/plugin-agents-common';
import { Pod, Secret } from 'kubernetes-models/v1';
import { buildRunManifests } from './runManifests';

const session = {
  id: '1d46c37b-bc69-478d-ad05-016e780b3b82',
  entityRef: 'component:default/payments-service',
  repoUrl: 'https://github.com/example-org/payments-service',
  baseBranch: 'main',
  workBranch: 'agents/1d46c37b',
  harness: 'opencode',
  prompt: 'Add refunds',
} as Session;
const run = {
  id: '53ad1631-6187-4fae-9fd7-6f092ae0b5f6',
  sessionId: session.id,
  attempt: 2,
  kind: 'resume',
  prompt: 'Now add tests',
} as HarnessRun;
const policy: AgentsPolicy = {
  name: 'default',
  allowedHarnesses: ['opencode'],
  defaultHarness: 'opencode',
  egressProfile: 'github-only',
  resources: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi' },
  timeoutSeconds: 1800,
  runtimeClassName: 'gvisor',
  draftPullRequest: true,
  maxBundleBytes: 1024 ** 3,
};

const build = (overrides: Partial<AgentsPolicy> = {}) =>
  buildRunManifests({
    session,
    run,
    policy: { ...policy, ...overrides },
    namespace: 'agents',
    defaultImage: 'ghcr.io/example/agents-harness:1.0.0',
    runToken: 'run-token-value',
    gitToken: 'git-token-value',
    apiUrl: 'http://backstage.test/api/agents',
  });

describe('buildRunManifests', () => {
  it("puts the pod in the entity's Kubernetes tab, with its session and a link to it", () => {
    const { secret, pod } = buildRunManifests({
      session,
      run,
      policy,
      namespace: 'agents',
      defaultImage: 'ghcr.io/example/agents-harness:1.0.0',
      runToken: 'r',
      gitToken: 'g',
      apiUrl: 'http://backstage.test/api/agents',
      sessionUrl: `http://backstage.test/agents/sessions/${session.id}`,
    });
    expect(pod.metadata?.labels).toMatchObject({
      'backstage.io/kubernetes-id': 'payments-service',
      'agents.backstage.io/session': session.id,
    });
    expect(pod.metadata?.annotations).toMatchObject({
      'agents.backstage.io/session-url': `http://backstage.test/agents/sessions/${session.id}`,
    });
    // The secret is no workload: it stays out of the tab.
    expect(secret.metadata?.labels).not.toHaveProperty('backstage.io/kubernetes-id');
  });

  it('leaves out the Kubernetes id and the link when there is none', () => {
    const { pod } = buildRunManifests({
      session: { ...session, entityRef: `component:default/${'x'.repeat(64)}` },
      run,
      policy,
      namespace: 'agents',
      defaultImage: 'i:1',
      runToken: 'r',
      gitToken: 'g',
      apiUrl: 'http://backstage.test/api/agents',
    });
    expect(pod.metadata?.labels).not.toHaveProperty('backstage.io/kubernetes-id');
    expect(pod.metadata?.annotations).not.toHaveProperty('agents.backstage.io/session-url');
  });

  it('produces objects that pass the Kubernetes schemas', () => {
    const { secret, pod } = build();
    expect(() => new Secret(secret as any).validate()).not.toThrow();
    expect(() => new Pod(pod as any).validate()).not.toThrow();
  });

  it('labels both objects for selection, egress and ownership', () => {
    const { secret, pod } = build();
    for (const object of [secret, pod]) {
      expect(object.metadata).toMatchObject({
        name: `agents-run-${run.id}`,
        namespace: 'agents',
        labels: {
          'app.kubernetes.io/managed-by': 'backstage-agents',
          'agents.backstage.io/session': session.id,
          'agents.backstage.io/run': run.id,
          'agents.backstage.io/egress': 'github-only',
          'agents.backstage.io/entity': 'component.default.payments-service',
        },
        annotations: { 'agents.backstage.io/entity-ref': 'component:default/payments-service' },
      });
    }
  });

  it('follows the restricted Pod Security Standard', () => {
    const { pod } = build();
    const spec = pod.spec!;
    const container = spec.containers[0];
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.volumes!.every(v => v.hostPath === undefined)).toBe(true);
    expect(spec.hostNetwork ?? false).toBe(false);
  });

  it('applies the policy: deadline, resources, runtime class, image', () => {
    const { pod } = build();
    expect(pod.spec!.activeDeadlineSeconds).toBe(1800);
    expect(pod.spec!.runtimeClassName).toBe('gvisor');
    expect(pod.spec!.containers[0].resources!.limits).toEqual({
      cpu: '2',
      memory: '4Gi',
      'ephemeral-storage': '10Gi',
    });
    expect(pod.spec!.containers[0].image).toBe('ghcr.io/example/agents-harness:1.0.0');
    expect(build({ image: 'registry.internal/harness:slim', runtimeClassName: undefined }).pod.spec).toMatchObject({
      containers: [expect.objectContaining({ image: 'registry.internal/harness:slim' })],
    });
    expect(build({ runtimeClassName: undefined }).pod.spec!.runtimeClassName).toBeUndefined();
  });

  it('passes tokens and the prompt as files, never as environment values', () => {
    const { secret, pod } = build();
    expect(secret.stringData).toEqual({
      'git-token': 'git-token-value',
      'run-token': 'run-token-value',
      prompt: 'Now add tests',
    });
    const env = Object.fromEntries(pod.spec!.containers[0].env!.map(e => [e.name, e.value]));
    expect(JSON.stringify(env)).not.toContain('token-value');
    expect(JSON.stringify(env)).not.toContain('Now add tests');
    expect(env).toMatchObject({
      AGENTS_REPO_URL: 'https://github.com/example-org/payments-service',
      AGENTS_BASE_BRANCH: 'main',
      AGENTS_WORK_BRANCH: 'agents/1d46c37b',
      AGENTS_HARNESS: 'opencode',
      AGENTS_RUN_ATTEMPT: '2',
      AGENTS_PROMPT_FILE: '/var/run/agents/prompt',
      AGENTS_GIT_TOKEN_FILE: '/var/run/agents/git-token',
      AGENTS_RESULT_PREFIX: 'AGENTS_RESULT',
    });
  });
  it("tells a fan-out's task its fan-out and task id, and where to start from", () => {
    const env = (s: Session) => {
      const { pod } = buildRunManifests({
        session: s,
        run,
        policy,
        namespace: 'agents',
        defaultImage: 'ghcr.io/example/agents-harness:1.0.0',
        runToken: 'r',
        gitToken: 'g',
        apiUrl: 'http://backstage.test/api/agents',
      });
      return Object.fromEntries(pod.spec!.containers[0].env!.map(e => [e.name, e.value]));
    };
    const task = {
      ...session,
      baseBranch: 'specs/001-ledger/integration',
      parentSessionId: 'f5a0b8c2-0000-4000-8000-000000000001',
      origin: { kind: 'speckit', taskId: 'T004' },
    } as Session;
    expect(env(task)).toMatchObject({
      AGENTS_BASE_BRANCH: 'specs/001-ledger/integration',
      AGENTS_FANOUT_SESSION_ID: task.parentSessionId,
      AGENTS_TASK_ID: 'T004',
    });
    const plain = env({ ...session, origin: { kind: 'api' } } as Session);
    expect(plain).not.toHaveProperty('AGENTS_FANOUT_SESSION_ID');
    expect(plain).not.toHaveProperty('AGENTS_TASK_ID');
  });
});
