import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { NAMESPACE } from './cluster';
import { sleep } from './waitFor';

const RUN_LABEL = 'agents.backstage.io/run';
const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=backstage-agents';

/**
 * Every harness pod the backends create, seen from outside them: a watch on the namespace (re-listed
 * whenever the injected faults break it) recording each pod's uid under its run. A run with two uids
 * had its pod created twice.
 */
export class PodWatch {
  /** Run id → uids of the pods created for it. */
  readonly podsByRun = new Map<string, Set<string>>();
  private stopped = false;
  private controller?: AbortController;
  private readonly done: Promise<void>;

  constructor(private readonly kubeConfig: KubeConfig) {
    this.done = this.loop();
  }

  private record(pod: V1Pod) {
    const runId = pod.metadata?.labels?.[RUN_LABEL];
    const uid = pod.metadata?.uid;
    if (!runId || !uid) return;
    let uids = this.podsByRun.get(runId);
    if (!uids) this.podsByRun.set(runId, (uids = new Set()));
    uids.add(uid);
  }

  private async loop() {
    const core = this.kubeConfig.makeApiClient(CoreV1Api);
    while (!this.stopped) {
      try {
        const list = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: MANAGED_SELECTOR });
        list.items.forEach(pod => this.record(pod));
        await new Promise<void>(resolve => {
          new Watch(this.kubeConfig)
            .watch(
              `/api/v1/namespaces/${NAMESPACE}/pods`,
              { labelSelector: MANAGED_SELECTOR, resourceVersion: list.metadata?.resourceVersion },
              (type, pod) => {
                if (type === 'ERROR') resolve();
                else this.record(pod as V1Pod);
              },
              () => resolve(),
            )
            .then(controller => {
              this.controller = controller;
              if (this.stopped) controller.abort();
            })
            .catch(() => resolve());
        });
      } catch {
        await sleep(500);
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await Promise.race([this.done, sleep(2_000)]);
  }

  /** Runs whose pod was created more than once. */
  runsWithSeveralPods(): string[] {
    return [...this.podsByRun].filter(([, uids]) => uids.size > 1).map(([runId]) => runId);
  }
}

/** The harness pods and secrets still in the namespace. */
export async function leftovers(kubeConfig: KubeConfig): Promise<{ pods: string[]; secrets: string[] }> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const [pods, secrets] = await Promise.all([
    core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: MANAGED_SELECTOR }),
    core.listNamespacedSecret({ namespace: NAMESPACE, labelSelector: MANAGED_SELECTOR }),
  ]);
  return {
    pods: pods.items.map(p => `${p.metadata!.name!} (${p.status?.phase}${p.metadata?.deletionTimestamp ? ', deleting' : ''})`),
    secrets: secrets.items.map(s => s.metadata!.name!),
  };
}
