import { admitWorkloadCreate } from './workloadResources';

/**
 * Defaulting the real API server applies on create, so clients (and
 * `kubectl describe`) see familiar objects.
 */
export function admitCreate(kind: string, obj: any): void {
  if (kind === 'Pod') applyPodDefaults(obj);
  if (kind === 'Secret') normaliseSecret(obj);
  admitWorkloadCreate(kind, obj);
  if (kind === 'Namespace') {
    obj.metadata.labels = {
      ...obj.metadata.labels,
      'kubernetes.io/metadata.name': obj.metadata.name,
    };
    obj.spec = { finalizers: ['kubernetes'], ...obj.spec };
    obj.status = { phase: 'Active' };
  }
}

/** Defaulting on update: secrets accept stringData on every write. */
export function admitUpdate(kind: string, obj: any): void {
  if (kind === 'Secret') normaliseSecret(obj);
}

/** `stringData` is write-only: it is merged into base64 `data` and never stored. */
function normaliseSecret(secret: any): void {
  secret.type ??= 'Opaque';
  if (secret.stringData && typeof secret.stringData === 'object') {
    secret.data = { ...secret.data };
    for (const [key, value] of Object.entries(secret.stringData)) {
      secret.data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
  }
  delete secret.stringData;
}

function applyPodDefaults(pod: any): void {
  const spec = (pod.spec ??= {});
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  for (const container of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
  ]) {
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.resources ??= {};
    container.imagePullPolicy ??= imagePullPolicyFor(container.image);
  }
  // Status is owned by the kubelet; whatever the client sent is replaced.
  pod.status = { phase: 'Pending', qosClass: qosClassOf(spec) };
}

function imagePullPolicyFor(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  const lastSegment = image.split('/').pop() ?? '';
  const tagged = lastSegment.includes(':') || image.includes('@');
  return !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function qosClassOf(spec: any): string {
  const containers: any[] = spec.containers ?? [];
  const hasAny = containers.some(
    c =>
      Object.keys(c.resources?.requests ?? {}).length > 0 ||
      Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!hasAny) return 'BestEffort';
  const guaranteed = containers.every(c => {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? limits;
    return (
      limits.cpu &&
      limits.memory &&
      requests.cpu === limits.cpu &&
      requests.memory === limits.memory
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
