import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CoreV1Api, Log } from '@kubernetes/client-node';
import {
  KubeSim,
  ProcessKubelet,
  startKubeSim,
  startProcessKubelet,
} from '../index';
import { eventually, podSpec, statusOf } from '../testHelpers';

jest.setTimeout(30_000);

describe('process kubelet', () => {
  let sim: KubeSim;
  let kubelet: ProcessKubelet;
  let core: CoreV1Api;
  let scratch: string;
  const errors: unknown[] = [];
  const namespace = 'default';

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'kube-sim-test-'));
    // Lives under the host's /tmp, which the 'wrapped' pod also mounts at its /tmp.
    const wrapper = join(scratch, 'wrapper.sh');
    writeFileSync(wrapper, '#!/bin/sh\necho "wrapper $*"\n', { mode: 0o755 });
    sim = await startKubeSim();
    core = sim.kubeConfig.makeApiClient(CoreV1Api);
    kubelet = await startProcessKubelet({
      kubeConfig: sim.kubeConfig,
      nodeName: 'test-node',
      workDir: join(scratch, 'pods'),
      images: {
        'local/wrapper': [wrapper],
        'ghcr.io/example/agents-harness:*': [
          'sh',
          '-c',
          'echo "harness $*"',
          'harness',
        ],
      },
      configRetryMs: 100,
      onError: error => errors.push(error),
    });
  });
  afterAll(async () => {
    await kubelet.stop();
    await sim.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const createPod = (name: string, spec: any, metadata: any = {}) =>
    core.createNamespacedPod({
      namespace,
      body: { metadata: { name, ...metadata }, spec },
    });
  const waitForPhase = (name: string, phase: string, timeoutMs = 10_000) =>
    eventually(async () => {
      const pod = await core.readNamespacedPod({ namespace, name });
      return pod.status?.phase === phase ? pod : undefined;
    }, timeoutMs);
  const logsOf = (
    name: string,
    extra: { tailLines?: number; timestamps?: boolean } = {},
  ) => core.readNamespacedPodLog({ namespace, name, ...extra });

  it('registers its Node with the kubelet endpoint and an InternalIP', async () => {
    const node = await core.readNode({ name: 'test-node' });
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(
      kubelet.port,
    );
    expect(node.status?.addresses).toContainEqual({
      type: 'InternalIP',
      address: '127.0.0.1',
    });
    expect(node.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    );
  });

  it('binds and runs a pod with env from secrets, config maps and fieldRefs and mounted secret files', async () => {
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'git' }, stringData: { token: 'ghp_secret' } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'settings' }, data: { mode: 'fast' } },
    });
    const script = [
      'echo "token=$TOKEN cm=$MODE pod=$POD_NAME/$POD_NS greeting=$GREETING"',
      'echo "file=$(cat "$TOKEN_FILE")"',
      'echo "root-file=$(cat "$KUBE_SIM_ROOT/var/run/agents/git-token/token")"',
      'echo "cwd=$(pwd)"',
      'echo oops >&2',
    ].join('; ');
    await createPod('env-pod', {
      volumes: [
        { name: 'git-token', secret: { secretName: 'git' } },
        { name: 'work', emptyDir: {} },
      ],
      ...podSpec(['sh', '-c', script], {
        workingDir: '/workspace',
        env: [
          {
            name: 'TOKEN',
            valueFrom: { secretKeyRef: { name: 'git', key: 'token' } },
          },
          {
            name: 'MODE',
            valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } },
          },
          {
            name: 'POD_NAME',
            valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
          },
          {
            name: 'POD_NS',
            valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
          },
          { name: 'GREETING', value: 'hello-$(POD_NAME)' },
          { name: 'TOKEN_FILE', value: '/var/run/agents/git-token/token' },
        ],
        volumeMounts: [
          {
            name: 'git-token',
            mountPath: '/var/run/agents/git-token',
            readOnly: true,
          },
          { name: 'work', mountPath: '/workspace' },
        ],
      }),
    });
    // Created without spec.nodeName: the kubelet binds it to itself.
    const pod = await waitForPhase('env-pod', 'Succeeded');
    expect(pod.spec?.nodeName).toBe('test-node');
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(
      pod.status?.containerStatuses?.[0].state?.terminated?.startedAt,
    ).toBeInstanceOf(Date);
    const logs = await logsOf('env-pod');
    expect(logs).toContain(
      'token=ghp_secret cm=fast pod=env-pod/default greeting=hello-env-pod',
    );
    expect(logs).toContain('file=ghp_secret');
    expect(logs).toContain('root-file=ghp_secret');
    expect(logs).toMatch(/cwd=.*\/root\/workspace/);
    expect(logs).toContain('oops');
  }, 15_000);

  it('marks a pod whose container exits non-zero as Failed with the exit code', async () => {
    await createPod('failing', podSpec(['sh', '-c', 'echo bye; exit 3']));
    const pod = await waitForPhase('failing', 'Failed');
    expect(pod.status?.containerStatuses?.[0].state?.terminated).toMatchObject({
      exitCode: 3,
      reason: 'Error',
    });
    expect(pod.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'False' }),
    );
  });

  it('reports Running with a running container state while the process lives', async () => {
    await createPod('runner', podSpec(['sleep', '30']));
    const pod = await waitForPhase('runner', 'Running');
    expect(pod.status?.containerStatuses?.[0]).toMatchObject({
      ready: true,
      started: true,
      state: { running: { startedAt: expect.any(Date) } },
    });
    expect(pod.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', status: 'True' }),
    );
    await core.deleteNamespacedPod({
      namespace,
      name: 'runner',
      gracePeriodSeconds: 0,
    });
  });

  it('enforces activeDeadlineSeconds', async () => {
    await createPod('slow', {
      ...podSpec(['sleep', '30']),
      activeDeadlineSeconds: 1,
      terminationGracePeriodSeconds: 1,
    });
    const pod = await waitForPhase('slow', 'Failed', 6000);
    expect(pod.status?.reason).toBe('DeadlineExceeded');
    expect(pod.status?.containerStatuses?.[0].state?.terminated?.exitCode).toBe(
      143,
    );
  });

  it('sends SIGTERM on deletion and confirms the deletion once the process exits', async () => {
    const marker = join(scratch, 'term-marker');
    const script = `trap 'echo got-term > "${marker}"; exit 0' TERM; echo ready; while true; do sleep 0.1; done`;
    await createPod('graceful', {
      ...podSpec(['sh', '-c', script]),
      terminationGracePeriodSeconds: 30,
    });
    await waitForPhase('graceful', 'Running');
    await eventually(async () => (await logsOf('graceful')).includes('ready'));
    const started = Date.now();
    const deleting = await core.deleteNamespacedPod({
      namespace,
      name: 'graceful',
    });
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    await eventually(
      async () =>
        (
          await statusOf(
            core.readNamespacedPod({ namespace, name: 'graceful' }),
          )
        ).code === 404,
      5000,
    );
    // Well within the 30 s grace period: the kubelet confirmed the deletion itself.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(readFileSync(marker, 'utf8').trim()).toBe('got-term');
  });

  it('kills a process that ignores SIGTERM when the grace period ends', async () => {
    const pidFile = join(scratch, 'stubborn-pid');
    const script = `trap '' TERM; echo $$ > "${pidFile}"; echo ready; while true; do sleep 0.1; done`;
    await createPod('stubborn', {
      ...podSpec(['sh', '-c', script]),
      terminationGracePeriodSeconds: 1,
    });
    await eventually(async () =>
      (await logsOf('stubborn').catch(() => '')).includes('ready'),
    );
    const started = Date.now();
    await core.deleteNamespacedPod({ namespace, name: 'stubborn' });
    await eventually(
      async () =>
        (
          await statusOf(
            core.readNamespacedPod({ namespace, name: 'stubborn' }),
          )
        ).code === 404,
      5000,
    );
    // Not before the 1 s grace period: SIGTERM alone did not end it, SIGKILL did.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await eventually(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
  });

  it('follows logs through the API server proxy', async () => {
    await createPod(
      'chatty',
      podSpec([
        'sh',
        '-c',
        'for i in 1 2 3 4 5; do echo line $i; sleep 0.2; done',
      ]),
    );
    await waitForPhase('chatty', 'Running');
    const stream = new PassThrough();
    let received = '';
    stream.on('data', chunk => (received += chunk.toString()));
    const ended = new Promise(resolve => stream.on('end', resolve));
    await new Log(sim.kubeConfig).log(namespace, 'chatty', 'main', stream, {
      follow: true,
    });
    // The first line arrives while the process is still running.
    await eventually(() => received.includes('line 1'));
    expect(
      (await core.readNamespacedPod({ namespace, name: 'chatty' })).status
        ?.phase,
    ).toBe('Running');
    await ended;
    expect(received).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');

    expect(await logsOf('chatty', { tailLines: 2 })).toBe('line 4\nline 5\n');
    const stamped = await logsOf('chatty', { tailLines: 1, timestamps: true });
    expect(stamped).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line 5\n$/);
    const sinceTime = encodeURIComponent(stamped.split(' ')[0]);
    const since = await fetch(
      `${sim.url}/api/v1/namespaces/${namespace}/pods/chatty/log?sinceTime=${sinceTime}`,
    );
    expect(await since.text()).toBe('line 5\n');
  }, 15_000);

  it('maps images to local commands and passes the container command and args', async () => {
    await createPod('harness', {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'main',
          image: 'ghcr.io/example/agents-harness:1.2.3',
          args: ['--task', 't1'],
        },
      ],
    });
    await waitForPhase('harness', 'Succeeded');
    expect(await logsOf('harness')).toBe('harness --task t1\n');
  });

  it("runs a mapped entrypoint as a host command, mapping only the pod's own paths", async () => {
    await createPod('wrapped', {
      restartPolicy: 'Never',
      volumes: [{ name: 'tmp', emptyDir: {} }],
      containers: [
        {
          name: 'main',
          image: 'local/wrapper',
          args: ['/tmp/note', 'plain'],
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
    });
    const pod = await waitForPhase('wrapped', 'Succeeded');
    const podDir = join(
      kubelet.workDir,
      `${namespace}_wrapped_${pod.metadata?.uid}`,
    );
    expect(await logsOf('wrapped')).toBe(
      `wrapper ${podDir}/root/tmp/note plain\n`,
    );
  });

  it('waits with CreateContainerConfigError until a referenced secret exists', async () => {
    await createPod(
      'needs-secret',
      podSpec(['sh', '-c', 'echo "value=$V"'], {
        env: [
          {
            name: 'V',
            valueFrom: { secretKeyRef: { name: 'later', key: 'v' } },
          },
        ],
      }),
    );
    await eventually(async () => {
      const pod = await core.readNamespacedPod({
        namespace,
        name: 'needs-secret',
      });
      return (
        pod.status?.containerStatuses?.[0].state?.waiting?.reason ===
        'CreateContainerConfigError'
      );
    });
    expect(
      (await core.readNamespacedPod({ namespace, name: 'needs-secret' })).status
        ?.phase,
    ).toBe('Pending');
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'later' }, stringData: { v: 'now' } },
    });
    await waitForPhase('needs-secret', 'Succeeded');
    expect(await logsOf('needs-secret')).toBe('value=now\n');
  });

  it('re-lists after its watch is dropped and history is compacted', async () => {
    sim.faults.compact();
    sim.faults.dropWatches();
    sim.faults.failNext({ count: 1, watch: true });
    await createPod('after-compaction', podSpec(['true']));
    await waitForPhase('after-compaction', 'Succeeded');
    // The injected failure is the only error the kubelet saw (and recovered from).
    expect(errors.splice(0)).toEqual([
      expect.objectContaining({ statusCode: 500 }),
    ]);
  });

  it('retries its API calls through injected failures', async () => {
    const injectedBefore = sim.faults.injectedFailures;
    sim.faults.failNext({ count: 2, method: 'POST', pathIncludes: '/binding' });
    sim.faults.failNext({
      count: 2,
      method: 'GET',
      pathIncludes: '/secrets/retry',
    });
    sim.faults.failNext({ count: 2, method: 'PATCH', pathIncludes: '/status' });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'retry' }, stringData: { v: 'ok' } },
    });
    await createPod(
      'flaky-api',
      podSpec(['sh', '-c', 'echo "v=$V"'], {
        env: [
          {
            name: 'V',
            valueFrom: { secretKeyRef: { name: 'retry', key: 'v' } },
          },
        ],
      }),
    );
    await waitForPhase('flaky-api', 'Succeeded');
    expect(await logsOf('flaky-api')).toBe('v=ok\n');
    expect(sim.faults.injectedFailures - injectedBefore).toBe(6);
  });

  it('removes the pod files once a finished pod is deleted', async () => {
    await createPod('cleanup', podSpec(['true']));
    const pod = await waitForPhase('cleanup', 'Succeeded');
    const podDir = join(
      kubelet.workDir,
      `${namespace}_cleanup_${pod.metadata?.uid}`,
    );
    expect(existsSync(podDir)).toBe(true);
    await core.deleteNamespacedPod({ namespace, name: 'cleanup' });
    await eventually(() => !existsSync(podDir));
  });

  it('recorded no unexpected errors', () => {
    expect(errors).toEqual([]);
  });
});
