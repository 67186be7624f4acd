import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ConfigSource, ContainerConfigError } from './configSource';
import { ImageMap } from './imageMap';
import { KubeletLogServer, startKubeletLogServer } from './kubeletLogServer';
import { PodApi, PodRunner } from './podRunner';
import { isConflict, isNotFound, withRetries } from './retry';

export interface ProcessKubeletOptions {
  /** How to reach the API server; the kubelet uses nothing else. */
  kubeConfig: KubeConfig;
  nodeName?: string;
  /** Image → local command mapping (see imageMap.ts). */
  images?: ImageMap;
  /** Where pod directories go; default a new temp dir, removed again by stop(). */
  workDir?: string;
  /** Extra labels on the Node object. */
  nodeLabels?: Record<string, string>;
  /** Bind pods that have no spec.nodeName to this node (the simulator has no scheduler). Default true. */
  bindUnscheduledPods?: boolean;
  /** Host environment variables passed to every container process; default PATH, HOME, LANG, TZ, TMPDIR. */
  hostEnv?: Record<string, string>;
  /** Retry interval for pods whose secrets or config maps are missing; default 1000 ms. */
  configRetryMs?: number;
  /** Called with errors the kubelet recovers from; default: ignore. */
  onError?: (error: unknown) => void;
}

export interface ProcessKubelet {
  nodeName: string;
  workDir: string;
  /** Port of the kubelet's log endpoint (also in the Node's status.daemonEndpoints). */
  port: number;
  /** Kills every pod process, removes pod files and stops watching. The Node object stays. */
  stop(): Promise<void>;
}

const KUBELET_VERSION = 'v1.32.0-kube-sim';
const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function defaultHostEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR']) {
    if (process.env[key] !== undefined) env[key] = process.env[key]!;
  }
  return env;
}

/**
 * A kubelet that runs pods as local processes. It registers a Node, binds
 * unscheduled pods to it, list-watches pods (resuming from the last
 * resourceVersion, re-listing on 410 Gone) and runs each pod bound to it with
 * a PodRunner. All of it goes through the Kubernetes API via
 * @kubernetes/client-node, so it works against any API server.
 */
export async function startProcessKubelet(
  options: ProcessKubeletOptions,
): Promise<ProcessKubelet> {
  const nodeName = options.nodeName ?? 'kube-sim-node';
  const workDir =
    options.workDir ?? mkdtempSync(join(tmpdir(), 'kube-sim-kubelet-'));
  mkdirSync(workDir, { recursive: true });
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const watch = new Watch(options.kubeConfig);
  const onError = options.onError ?? (() => {});
  const bindUnscheduled = options.bindUnscheduledPods ?? true;
  const nodeLabels: Record<string, string> = {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    ...options.nodeLabels,
  };
  /** Running pods by uid; a pod name can be reused by a new pod while the old one terminates. */
  const runners = new Map<
    string,
    { runner: PodRunner; namespace: string; name: string }
  >();

  const logServer: KubeletLogServer = await startKubeletLogServer(
    (namespace, pod, container) => {
      for (const entry of runners.values()) {
        if (entry.namespace === namespace && entry.name === pod)
          return entry.runner.log(container);
      }
      return undefined;
    },
  );
  await registerNode(core, nodeName, logServer.port, nodeLabels);

  const source: ConfigSource = {
    secret: (namespace, name) =>
      readOrUndefined(() => core.readNamespacedSecret({ namespace, name })),
    configMap: (namespace, name) =>
      readOrUndefined(() => core.readNamespacedConfigMap({ namespace, name })),
  };
  const podApi: PodApi = {
    async patchStatus(pod, status) {
      try {
        await withRetries(() =>
          core.patchNamespacedPodStatus(
            {
              namespace: pod.metadata.namespace,
              name: pod.metadata.name,
              body: { status },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async recordEvent(pod, type, reason, message) {
      await withRetries(() =>
        core.createNamespacedEvent({
          namespace: pod.metadata.namespace,
          body: {
            metadata: { generateName: `${pod.metadata.name}.` },
            involvedObject: {
              apiVersion: 'v1',
              kind: 'Pod',
              name: pod.metadata.name,
              namespace: pod.metadata.namespace,
              uid: pod.metadata.uid,
            },
            type,
            reason,
            message,
            source: { component: 'kubelet', host: nodeName },
            reportingComponent: 'kubelet',
            reportingInstance: nodeName,
            firstTimestamp: new Date(),
            lastTimestamp: new Date(),
            count: 1,
          },
        }),
      ).catch(onError);
    },
    async confirmDeletion(pod) {
      try {
        await withRetries(() =>
          core.deleteNamespacedPod({
            namespace: pod.metadata.namespace,
            name: pod.metadata.name,
            gracePeriodSeconds: 0,
            body: {
              gracePeriodSeconds: 0,
              preconditions: { uid: pod.metadata.uid },
            },
          }),
        );
      } catch (error) {
        if (!isNotFound(error) && !isConflict(error)) throw error;
      }
    },
  };

  const binding = new Set<string>();
  let stopped = false;
  let resourceVersion: string | undefined;
  let abortWatch: AbortController | undefined;

  const bind = async (pod: any) => {
    const { name, namespace, uid } = pod.metadata;
    const selector: Record<string, string> = pod.spec.nodeSelector ?? {};
    const schedulable = Object.entries(selector).every(
      ([k, v]) => nodeLabels[k] === v,
    );
    const scheduler = pod.spec.schedulerName ?? 'default-scheduler';
    if (
      !bindUnscheduled ||
      !schedulable ||
      scheduler !== 'default-scheduler' ||
      pod.metadata.deletionTimestamp
    )
      return;
    if (binding.has(uid)) return;
    binding.add(uid);
    try {
      await withRetries(() =>
        core.createNamespacedPodBinding({
          name,
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Binding',
            metadata: { name, namespace },
            target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
          },
        }),
      );
      await podApi.recordEvent(
        pod,
        'Normal',
        'Scheduled',
        `Successfully assigned ${namespace}/${name} to ${nodeName}`,
      );
    } catch (error) {
      // Another kubelet won the race, or the pod went away.
      if (!isConflict(error) && !isNotFound(error)) onError(error);
    } finally {
      binding.delete(uid);
    }
  };

  const handle = (type: string, pod: any) => {
    const uid = pod.metadata.uid;
    const entry = runners.get(uid);
    if (type === 'DELETED') {
      entry?.runner.dispose();
      runners.delete(uid);
      return;
    }
    if (!pod.spec.nodeName) {
      void bind(pod);
      return;
    }
    if (pod.spec.nodeName !== nodeName) return;
    if (entry) {
      if (pod.metadata.deletionTimestamp) entry.runner.terminate(pod);
      return;
    }
    // A pod this kubelet is not running: confirm a pending deletion, skip pods that already ran.
    if (pod.metadata.deletionTimestamp) {
      podApi.confirmDeletion(pod).catch(onError);
      return;
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
      return;
    const runner = new PodRunner({
      pod,
      images: options.images ?? {},
      podDir: join(
        workDir,
        `${pod.metadata.namespace}_${pod.metadata.name}_${uid}`,
      ),
      source,
      api: podApi,
      hostEnv: options.hostEnv ?? defaultHostEnv(),
      configRetryMs: options.configRetryMs ?? 1000,
      onError,
    });
    runners.set(uid, {
      runner,
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
    });
    runner.start().catch(onError);
  };

  const relist = async () => {
    const list = await core.listPodForAllNamespaces();
    const present = new Set<string>();
    for (const pod of list.items) {
      present.add(pod.metadata!.uid!);
      handle('ADDED', pod);
    }
    for (const [uid, entry] of runners) {
      if (present.has(uid)) continue;
      entry.runner.dispose();
      runners.delete(uid);
    }
    resourceVersion = list.metadata?.resourceVersion;
  };

  const watchOnce = () =>
    new Promise<void>((resolve, reject) => {
      watch
        .watch(
          '/api/v1/pods',
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
          (type, object) => {
            if (type === 'ERROR') {
              // 410 Gone: the resourceVersion was compacted away, so the next round re-lists.
              if (object?.code === 410) resourceVersion = undefined;
              else onError(new Error(`watch error: ${object?.message}`));
              return;
            }
            resourceVersion = object.metadata.resourceVersion;
            if (type !== 'BOOKMARK') handle(type, object);
          },
          error => (error ? reject(error) : resolve()),
        )
        .then(controller => {
          abortWatch = controller;
          if (stopped) controller.abort();
        }, reject);
    });

  const loop = async () => {
    while (!stopped) {
      try {
        if (resourceVersion === undefined) await relist();
        await watchOnce();
      } catch (error) {
        if (stopped) return;
        onError(error);
        await new Promise(resolve => setTimeout(resolve, 500));
      }
    }
  };
  const looping = loop();

  return {
    nodeName,
    workDir,
    port: logServer.port,
    async stop() {
      stopped = true;
      abortWatch?.abort();
      await looping;
      for (const { runner } of runners.values()) runner.dispose();
      runners.clear();
      await logServer.stop();
      if (!options.workDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A missing object is undefined; a read that keeps failing is retried later like missing config. */
async function readOrUndefined(
  read: () => Promise<any>,
): Promise<any | undefined> {
  try {
    return await withRetries(read);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new ContainerConfigError(
      `reading configuration failed: ${(error as Error).message}`,
    );
  }
}

/** Creates (or takes over) the Node object, publishing the log endpoint the API server proxies to. */
async function registerNode(
  core: CoreV1Api,
  nodeName: string,
  port: number,
  labels: Record<string, string>,
): Promise<void> {
  const now = timestamp();
  const status = {
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ],
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
    capacity: { cpu: '2', memory: '4Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
    nodeInfo: {
      machineID: nodeName,
      systemUUID: nodeName,
      bootID: nodeName,
      kernelVersion: '',
      osImage: 'kube-sim process kubelet',
      containerRuntimeVersion: 'process://local',
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    },
  };
  const body: any = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels,
    },
    status,
  };
  try {
    await withRetries(() => core.createNode({ body }));
  } catch (error) {
    if (!isConflict(error)) throw error;
  }
  // Status is a subresource: set it explicitly so a re-registering kubelet publishes its new port.
  await withRetries(() =>
    core.patchNodeStatus(
      { name: nodeName, body: { status } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ),
  );
}
