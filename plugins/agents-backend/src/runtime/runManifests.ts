import type {
  AgentsPolicy,
  HarnessRun,
  Session,
} from '@backstage-agents/plugin-agents-common';
import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import {
  EGRESS_LABEL,
  ENTITY_LABEL,
  ENTITY_REF_ANNOTATION,
  entityLabelValue,
  HARNESS_CONTAINER,
  KUBERNETES_ID_LABEL,
  kubernetesIdOf,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  RESULT_PREFIX,
  RUN_LABEL,
  runObjectName,
  SESSION_LABEL,
  SESSION_URL_ANNOTATION,
} from './labels';

/** Where the run's Secret is mounted in the harness container. */
export const SECRETS_DIR = '/var/run/agents';

export interface RunManifestInput {
  session: Session;
  run: HarnessRun;
  policy: AgentsPolicy;
  namespace: string;
  /** The image when the policy names none. */
  defaultImage: string;
  /** Authenticates the run's calls back to the backend (bundle upload); never stored. */
  runToken: string;
  /** A repo-scoped Git token; empty until a Git provider mints one. */
  gitToken: string;
  /** The agents API as the pod reaches it; bundles are transferred under `<apiUrl>/runs/<run>/bundle`. */
  apiUrl: string;
  /** The bundle the run restores (the session's latest), when there is one. */
  inputBundle?: { digest: string };
  /** The harness's own session id from an earlier run, so a resume continues that conversation. */
  harnessSessionId?: string;
  /** Extra environment from the harness provider. */
  harnessEnv?: Record<string, string>;
  /** Secrets whose keys the harness gets as environment (its API keys), from the harness provider. */
  envFromSecrets?: string[];
  /** The session's page in Backstage, annotated on the pod; none when the app's URL is unknown. */
  sessionUrl?: string;
}

/**
 * The Secret and Pod of one harness run: a pure function of the session, the run and the policy, so
 * what reaches the cluster can be reviewed and tested without one. The pod follows the restricted Pod
 * Security Standard; inputs that are secret or large (tokens, the prompt) are files from the Secret,
 * never environment variables.
 */
export function buildRunManifests(input: RunManifestInput): {
  secret: V1Secret;
  pod: V1Pod;
} {
  const { session, run, policy, namespace } = input;
  const name = runObjectName(run.id);
  const labels = {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [SESSION_LABEL]: session.id,
    [RUN_LABEL]: run.id,
    [EGRESS_LABEL]: policy.egressProfile,
    [ENTITY_LABEL]: entityLabelValue(session.entityRef),
  };
  const kubernetesId = kubernetesIdOf(session.entityRef);
  const annotations: Record<string, string> = {
    [ENTITY_REF_ANNOTATION]: session.entityRef,
    ...(input.sessionUrl ? { [SESSION_URL_ANNOTATION]: input.sessionUrl } : {}),
  };
  // Only the pod shows in the entity's Kubernetes tab; its secret stays out of listings.
  const podLabels = kubernetesId ? { ...labels, [KUBERNETES_ID_LABEL]: kubernetesId } : labels;
  const bundleUrl = `${input.apiUrl.replace(/\/+$/, '')}/runs/${run.id}/bundle`;

  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels, annotations },
    type: 'Opaque',
    stringData: {
      'git-token': input.gitToken,
      'run-token': input.runToken,
      prompt: run.prompt,
    },
  };

  const env: Record<string, string> = {
    AGENTS_SESSION_ID: session.id,
    AGENTS_RUN_ID: run.id,
    AGENTS_RUN_ATTEMPT: String(run.attempt),
    AGENTS_HARNESS: session.harness,
    AGENTS_REPO_URL: session.repoUrl,
    ...(session.baseBranch ? { AGENTS_BASE_BRANCH: session.baseBranch } : {}),
    AGENTS_WORK_BRANCH: session.workBranch,
    // A fan-out's task: agents (the demo one) keep their work apart from its sibling tasks'.
    ...(session.parentSessionId ? { AGENTS_FANOUT_SESSION_ID: session.parentSessionId } : {}),
    ...(session.origin?.taskId ? { AGENTS_TASK_ID: session.origin.taskId } : {}),
    AGENTS_PROMPT_FILE: `${SECRETS_DIR}/prompt`,
    AGENTS_GIT_TOKEN_FILE: `${SECRETS_DIR}/git-token`,
    AGENTS_RUN_TOKEN_FILE: `${SECRETS_DIR}/run-token`,
    AGENTS_RESULT_PREFIX: RESULT_PREFIX,
    AGENTS_BUNDLE_UPLOAD_URL: bundleUrl,
    ...(input.inputBundle
      ? { AGENTS_BUNDLE_URL: bundleUrl, AGENTS_BUNDLE_DIGEST: input.inputBundle.digest }
      : {}),
    ...(input.harnessSessionId ? { AGENTS_HARNESS_SESSION_ID: input.harnessSessionId } : {}),
    AGENTS_WORKSPACE: '/workspace',
    HOME: '/home/agent',
    TMPDIR: '/tmp',
    ...input.harnessEnv,
  };

  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: podLabels, annotations },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      activeDeadlineSeconds: policy.timeoutSeconds,
      terminationGracePeriodSeconds: 30,
      ...(policy.runtimeClassName ? { runtimeClassName: policy.runtimeClassName } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        fsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: HARNESS_CONTAINER,
          image: policy.image ?? input.defaultImage,
          imagePullPolicy: 'IfNotPresent',
          workingDir: '/workspace',
          env: Object.entries(env).map(([key, value]) => ({ name: key, value })),
          ...(input.envFromSecrets?.length
            ? { envFrom: input.envFromSecrets.map(secretName => ({ secretRef: { name: secretName } })) }
            : {}),
          resources: {
            requests: {
              cpu: policy.resources.cpu,
              memory: policy.resources.memory,
              'ephemeral-storage': policy.resources.ephemeralStorage,
            },
            limits: {
              cpu: policy.resources.cpu,
              memory: policy.resources.memory,
              'ephemeral-storage': policy.resources.ephemeralStorage,
            },
          },
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ['ALL'] },
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumeMounts: [
            { name: 'run-secret', mountPath: SECRETS_DIR, readOnly: true },
            { name: 'workspace', mountPath: '/workspace' },
            { name: 'home', mountPath: '/home/agent' },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'run-secret', secret: { secretName: name, defaultMode: 0o440 } },
        { name: 'workspace', emptyDir: {} },
        { name: 'home', emptyDir: {} },
        { name: 'tmp', emptyDir: {} },
      ],
    },
  };
  return { secret, pod };
}
