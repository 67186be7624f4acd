import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import type {
  AgentsPolicy,
  SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { HarnessProvider } from '@backstage-agents/plugin-agents-node';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { issueRunToken } from '../bundles/runTokens';
import type { TransitionStore } from '../database/TransitionStore';
import type { ConcurrencyGate } from './ConcurrencyGate';
import type { EgressPolicies } from './EgressPolicies';
import { describeApiError } from './kubeErrors';
import { runObjectName } from './labels';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import { buildRunManifests } from './runManifests';

/** Where a run's Git token comes from (the GitHub integration). */
export interface GitTokenSource {
  /** A short-lived token for the session's repository, or '' when it needs none; throws with a clear reason. */
  tokenFor(session: SessionWithRuns): Promise<string>;
}

/**
 * Starts the latest run of a pending session: claims it (`pending → starting`, a conditional update,
 * so one replica wins), then creates the run's Secret and Pod and makes the Pod own the Secret so the
 * cluster removes both together.
 */
export class Launcher {
  constructor(
    private readonly deps: {
      core: CoreV1Api;
      transitions: Pick<TransitionStore, 'applyTransition'>;
      logger: LoggerService;
      namespace: string;
      /** The cluster's name, recorded on the runs it launches so its reconciler adopts them. */
      cluster?: string;
      /** The app's URL: pods are annotated with their session's page under it. */
      appBaseUrl?: string;
      defaultImage: string;
      /** The agents API as harness pods reach it. */
      apiUrl: string;
      harnessProviders: Map<string, HarnessProvider>;
      /** How long one API call may take before the launch counts as failed. */
      apiTimeoutMs?: number;
      /** Mints the run's repo-scoped Git token; none means the repository needs no token. */
      gitTokens?: GitTokenSource;
      /** Refuses profiles whose NetworkPolicies are missing. */
      egressPolicies?: EgressPolicies;
      /** Holds sessions back while their policy's concurrency caps are reached. */
      gate?: ConcurrencyGate;
      /** Counts runs that fail at launch. */
      metrics?: ReconcilerMetrics;
    },
  ) {}

  /** Launches the session's latest run; returns false when another writer claimed it first. */
  async launch(session: SessionWithRuns): Promise<boolean> {
    const { core, transitions, namespace } = this.deps;
    const run = session.runs[session.runs.length - 1];
    const policy = session.policy.snapshot as unknown as AgentsPolicy;
    const runToken = issueRunToken();
    const podName = runObjectName(run.id);
    const claim = () =>
      transitions.applyTransition(session.id, 'starting', {
        run: {
          podName,
          namespace,
          cluster: this.deps.cluster,
          runTokenHash: runToken.hash,
          inputBundleId: session.bundle?.id,
        },
      });
    try {
      const claimed = this.deps.gate ? await this.deps.gate.admit(session, claim) : await claim();
      // Queued behind the policy's concurrency caps: it stays pending until a slot frees.
      if (claimed === 'queued') return false;
    } catch (error) {
      // Another replica (or a cancel) changed the session first: nothing to launch here.
      if (error instanceof ConflictError) return false;
      throw error;
    }

    try {
      await this.deps.egressPolicies?.assertEnforced(policy.egressProfile);
    } catch (error) {
      await this.fail(session, `Refusing to launch: ${(error as Error).message}`);
      return true;
    }

    let gitToken = '';
    try {
      gitToken = (await this.deps.gitTokens?.tokenFor(session)) ?? '';
    } catch (error) {
      // Nothing was created yet: the session fails with GitHub's reason and nothing is left behind.
      await this.fail(session, `No Git token for ${session.repoUrl}: ${(error as Error).message}`);
      return true;
    }

    // A resume continues the harness's own conversation from the latest run that reported one.
    const harnessSessionId = [...session.runs]
      .reverse()
      .find(r => r.id !== run.id && r.result?.harnessSessionId)?.result?.harnessSessionId;
    const harnessSpec = this.deps.harnessProviders
      .get(session.harness)
      ?.containerSpec({ session, run, harnessSessionId });
    const { secret, pod } = buildRunManifests({
      session,
      run,
      policy,
      namespace,
      defaultImage: this.deps.defaultImage,
      runToken: runToken.token,
      gitToken,
      apiUrl: this.deps.apiUrl,
      inputBundle: session.bundle ? { digest: session.bundle.digest } : undefined,
      harnessSessionId,
      harnessEnv: harnessSpec?.env,
      envFromSecrets: harnessSpec?.envFromSecrets,
      sessionUrl: this.deps.appBaseUrl
        ? `${this.deps.appBaseUrl.replace(/\/+$/, '')}/agents/sessions/${session.id}`
        : undefined,
    });

    const timeoutMs = this.deps.apiTimeoutMs ?? 30_000;
    try {
      await withTimeout(core.createNamespacedSecret({ namespace, body: secret }), timeoutMs);
      const created: V1Pod = await withTimeout(
        core.createNamespacedPod({ namespace, body: pod }),
        timeoutMs,
      );
      // A JSON patch (the client's default content type) that makes the pod own its secret.
      await withTimeout(core.patchNamespacedSecret({
        name: secret.metadata!.name!,
        namespace,
        body: [
          {
            op: 'add',
            path: '/metadata/ownerReferences',
            value: [
              {
                apiVersion: 'v1',
                kind: 'Pod',
                name: created.metadata!.name!,
                uid: created.metadata!.uid!,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
        ],
      }), timeoutMs);
      return true;
    } catch (error) {
      const reason = describeApiError(error);
      this.deps.logger.error(`Launching session ${session.id} failed: ${reason}`);
      // Whatever was created is removed: the pod (owning the secret) and the secret itself.
      await core
        .deleteNamespacedPod({ name: pod.metadata!.name!, namespace, gracePeriodSeconds: 0 })
        .catch(() => undefined);
      await core
        .deleteNamespacedSecret({ name: secret.metadata!.name!, namespace })
        .catch(() => undefined);
      await this.fail(session, `Could not create the pod: ${reason}`);
      return true;
    }
  }

  private async fail(session: SessionWithRuns, reason: string) {
    const failed = await this.deps.transitions
      .applyTransition(session.id, 'failed', { run: { reason } })
      .catch(() => undefined);
    if (!failed) return;
    this.deps.metrics?.runFinished('failed', session.harness);
  }
}

/** Rejects when a call to the API server has not answered in time, so no launch waits forever. */
function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the API server did not answer within ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}
