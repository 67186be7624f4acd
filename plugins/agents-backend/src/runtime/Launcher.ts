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
import { describeApiError, isNotFound } from './kubeErrors';
import { runObjectName } from './labels';
import { withTransientRetries } from './transientApiRetry';
import type { ReconcilerMetrics } from './ReconcilerMetrics';
import { buildRunManifests } from './runManifests';

/** How a launch is made. */
export interface LaunchOptions {
  /** Launch again a session whose earlier launch died between its claim and its pod (see `launch`). */
  interrupted?: boolean;
  /**
   * Settle once the session is claimed, and create its secret and pod after that: a pass over the
   * launch queue claims in order, one at a time, without waiting for the API server between claims.
   */
  afterClaim?: boolean;
}

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
      transitions: Pick<TransitionStore, 'applyTransition' | 'claimLaunch' | 'reclaimLaunch' | 'holdsLaunch'>;
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

  /**
   * Launches the session's latest run; returns false when another writer claimed it first. With
   * `interrupted`, the session is `starting` but no pod was seen for it long after the claim (a
   * replica killed mid-launch): unless its pod is there after all, it is claimed again with a new run
   * token, and the secret and pod the earlier launch may yet create are taken over rather than
   * fought over.
   */
  async launch(session: SessionWithRuns, options: LaunchOptions = {}): Promise<boolean> {
    const { transitions, namespace } = this.deps;
    const run = session.runs[session.runs.length - 1];
    const runToken = issueRunToken();
    const podName = runObjectName(run.id);
    const claim = () =>
      transitions.claimLaunch(session, run.id, {
        podName,
        namespace,
        cluster: this.deps.cluster,
        runTokenHash: runToken.hash,
        inputBundleId: session.bundle?.id,
      });
    try {
      // An interrupted launch already holds its slot under the concurrency caps.
      if (options.interrupted) {
        // A slow launch, not a dead one: the pod is there, and the reconciler follows it.
        if (await this.podExists(podName)) return true;
        return (await transitions.reclaimLaunch(session.id, session.updatedAt, { runTokenHash: runToken.hash }))
          ? this.createRunObjects(session, runToken, { relaunch: true })
          : false;
      }
      const claimed = this.deps.gate ? await this.deps.gate.admit(session, claim) : await claim();
      // Queued behind the policy's concurrency caps: it stays pending until a slot frees.
      if (claimed === 'queued') return false;
    } catch (error) {
      // Another replica (or a cancel) changed the session first: nothing to launch here.
      if (error instanceof ConflictError) return false;
      throw error;
    }
    const creating = this.createRunObjects(session, runToken);
    if (!options.afterClaim) return creating;
    // createRunObjects fails the session itself on an API error; only the unexpected is left here.
    creating.catch(error => this.deps.logger.error(`Launching session ${session.id} failed: ${error}`));
    return true;
  }

  /**
   * Creates the claimed run's Secret and Pod; fails the session when it cannot, unless another launch
   * took the run over meanwhile. A `relaunch` overwrites a secret the earlier launch left (its token
   * no longer matches the run) and adopts the pod that launch may create at the same moment.
   */
  private async createRunObjects(
    session: SessionWithRuns,
    { token: runToken, hash: runTokenHash }: { token: string; hash: string },
    options: { relaunch?: boolean } = {},
  ): Promise<boolean> {
    const { core, namespace } = this.deps;
    const run = session.runs[session.runs.length - 1];
    const policy = session.policy.snapshot as unknown as AgentsPolicy;
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
      runToken,
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
    const secretName = secret.metadata!.name!;
    const relaunch = options.relaunch ?? false;
    // A brief API failure (5xx, 429, a dropped connection) is retried rather than failing the
    // session; a create whose answer was lost finds its object on the retry.
    try {
      await withTransientRetries(
        () => withTimeout(core.createNamespacedSecret({ namespace, body: secret }), timeoutMs),
        {
          onConflict: relaunch ? 'always' : 'afterRetry',
          // The earlier launch's secret holds a token that no longer matches the run: ours replaces it.
          resolveConflict: () =>
            relaunch
              ? core.replaceNamespacedSecret({ name: secretName, namespace, body: secret })
              : core.readNamespacedSecret({ name: secretName, namespace }),
        },
      );
      const created: V1Pod = await withTransientRetries(
        () => withTimeout(core.createNamespacedPod({ namespace, body: pod }), timeoutMs),
        {
          // The earlier launch created the pod after all: it mounts the run's secret, now ours.
          onConflict: relaunch ? 'always' : 'afterRetry',
          resolveConflict: () => core.readNamespacedPod({ name: pod.metadata!.name!, namespace }),
        },
      );
      // A JSON patch (the client's default content type) that makes the pod own its secret.
      await withTransientRetries(() => withTimeout(core.patchNamespacedSecret({
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
      }), timeoutMs));
      return true;
    } catch (error) {
      const reason = describeApiError(error);
      if (!(await this.deps.transitions.holdsLaunch(session.id, runTokenHash).catch(() => true))) {
        // A relaunch took the run over: its secret and pod are not ours to remove, nor the session ours to fail.
        this.deps.logger.info(`Launch of session ${session.id} was taken over by a relaunch (${reason})`);
        return true;
      }
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

  private async podExists(name: string): Promise<boolean> {
    const { core, namespace } = this.deps;
    try {
      await withTransientRetries(() => core.readNamespacedPod({ name, namespace }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
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
