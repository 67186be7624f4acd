import { isTerminalStatus } from '@backstage-agents/plugin-agents-common';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { SessionStore } from '../database/SessionStore';
import { isNotFound } from './kubeErrors';
import { MANAGED_SELECTOR, RUN_LABEL } from './labels';

/** How long a secret without a pod is spared while its run is launching (the pod may come next). */
const SECRET_LAUNCH_GRACE_MS = 60_000;

/** Removes what finished and orphaned runs leave in the cluster: pods past their TTL, lone secrets. */
export class GarbageCollector {
  constructor(
    private readonly options: {
      core: CoreV1Api;
      namespace: string;
      sessions: Pick<SessionStore, 'getRun' | 'getSession'>;
      finishedPodTtlMs: number;
    },
  ) {}

  /** Deletes a finished run's pod once its time-to-live has passed, and an orphan's at once. */
  async cleanUpPod(pod: V1Pod, finishedAt: string | undefined) {
    if (pod.metadata?.deletionTimestamp) return;
    const { core, namespace, finishedPodTtlMs } = this.options;
    const age = finishedAt ? Date.now() - Date.parse(finishedAt) : Infinity;
    if (age < finishedPodTtlMs) return;
    await core
      .deleteNamespacedPod({ name: pod.metadata!.name!, namespace })
      .catch(error => {
        if (!isNotFound(error)) throw error;
      });
  }

  /**
   * Secrets are owned by their pods and go with them; one without an owner is left by a launch that
   * stopped between creating it and its pod. It is removed unless its run is still being launched.
   * `pods` are the managed pods just listed, by run id.
   */
  async removeOrphanSecrets(pods: Map<string, V1Pod>) {
    const { core, namespace, sessions } = this.options;
    const secrets = await core.listNamespacedSecret({ namespace, labelSelector: MANAGED_SELECTOR });
    for (const secret of secrets.items) {
      const runId = secret.metadata?.labels?.[RUN_LABEL];
      if (!runId || pods.has(runId) || secret.metadata?.ownerReferences?.length) continue;
      const run = await sessions.getRun(runId);
      if (run && !isTerminalStatus(run.phase)) {
        const session = await sessions.getSession(run.sessionId);
        if (session && Date.now() - Date.parse(session.updatedAt) < SECRET_LAUNCH_GRACE_MS) continue;
      }
      await core
        .deleteNamespacedSecret({ name: secret.metadata!.name!, namespace })
        .catch(error => {
          if (!isNotFound(error)) throw error;
        });
    }
  }
}
