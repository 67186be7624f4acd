import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';

/** What the agents backend puts on a harness pod (plugins/agents-backend/src/runtime/labels.ts). */
const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
const MANAGED_BY = 'backstage-agents';
const SESSION_LABEL = 'agents.backstage.io/session';
const SESSION_URL_ANNOTATION = 'agents.backstage.io/session-url';

/** One agent session's pod, as the entity's Kubernetes tab lists it. */
export interface SessionPod {
  cluster: string;
  name: string;
  namespace: string;
  sessionId: string;
  /** The session's page: the pod's link annotation made relative to the app, else the default route. */
  sessionPath: string;
  phase: string;
  startedAt?: string;
}

/** The harness pods among what the Kubernetes plugin found for an entity, newest first. */
export function sessionPodsOf(response: ObjectsByEntityResponse): SessionPod[] {
  const pods: SessionPod[] = [];
  for (const item of response.items) {
    for (const fetched of item.resources) {
      if (fetched.type !== 'pods') continue;
      for (const pod of fetched.resources) {
        const labels = pod.metadata?.labels ?? {};
        const sessionId = labels[SESSION_LABEL];
        if (labels[MANAGED_BY_LABEL] !== MANAGED_BY || !sessionId) continue;
        pods.push({
          cluster: item.cluster.title ?? item.cluster.name,
          name: pod.metadata?.name ?? '',
          namespace: pod.metadata?.namespace ?? '',
          sessionId,
          sessionPath: pathOf(pod.metadata?.annotations?.[SESSION_URL_ANNOTATION]) ?? `/agents/sessions/${sessionId}`,
          phase: pod.metadata?.deletionTimestamp ? 'Terminating' : pod.status?.phase ?? 'Unknown',
          startedAt: toIso(pod.status?.startTime ?? pod.metadata?.creationTimestamp),
        });
      }
    }
  }
  return pods.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

// The response is JSON: dates arrive as strings, whatever the client-node types say.
function toIso(value: unknown): string | undefined {
  if (!value) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}
