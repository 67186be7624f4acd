import { randomUUID } from 'node:crypto';
import { applyPatch } from './patch';
import { admitCreate, admitUpdate } from './admission';
import { admitPodSecurity } from './podSecurity';
import { apiVersionOf, findType } from './resources';
import type { ResourceType } from './resourceType';
import { Selector } from './selectors';
import {
  ResourceRef,
  alreadyExists,
  badRequest,
  conflict,
  forbidden,
  notFound,
} from './statusErrors';
import { Store, clone } from './store';
import { validateObject, validatePodSpecUpdate } from './validation';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

const NAMESPACES = findType('', 'v1', 'namespaces')!;
const PODS = findType('', 'v1', 'pods')!;
const SERVICE_ACCOUNTS = findType('', 'v1', 'serviceaccounts')!;

/** RFC 3339 with second precision, the format Kubernetes uses for timestamps. */
const now = (offsetMs = 0) =>
  new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The alphabet the real server uses for generateName suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let suffix = '';
  for (let i = 0; i < 5; i++)
    suffix +=
      SUFFIX_ALPHABET[Math.floor(Math.random() * SUFFIX_ALPHABET.length)];
  return suffix;
}

function refOf(type: ResourceType, name: string): ResourceRef {
  return { group: type.group, plural: type.plural, kind: type.kind, name };
}

/** Equal but for resourceVersion: such a write changes nothing and, as on the real server, bumps no version. */
function sameContent(a: any, b: any): boolean {
  const strip = (o: any) => {
    const c = clone(o);
    delete c.metadata.resourceVersion;
    return JSON.stringify(c);
  };
  return strip(a) === strip(b);
}

/**
 * The verbs of the Kubernetes API with the real server's semantics: admission
 * defaults, validation, optimistic concurrency, status subresources, graceful
 * pod deletion, finalizers and namespace termination.
 */
export class ObjectApi {
  private readonly gracefulTimers = new Map<string, NodeJS.Timeout>();
  /** uids whose dependents must be orphaned rather than collected (propagationPolicy=Orphan). */
  readonly orphanedOwners = new Set<string>();

  constructor(readonly store: Store) {}

  get(type: ResourceType, namespace: string | undefined, name: string): any {
    const obj = this.store.get(type, namespace, name);
    if (!obj) throw notFound(refOf(type, name));
    return obj;
  }

  list(
    type: ResourceType,
    namespace: string | undefined,
    selectors: Selector[],
  ): { items: any[]; resourceVersion: string } {
    const items = this.store
      .list(type, namespace)
      .filter(o => selectors.every(s => s(o)));
    return { items, resourceVersion: String(this.store.resourceVersion) };
  }

  create(type: ResourceType, namespace: string | undefined, body: any): any {
    const obj = this.prepareForCreate(type, namespace, body);
    // Pod Security Admission validates after defaulting and before storage, like the real plugin.
    if (type === PODS)
      admitPodSecurity(
        this.store.get(NAMESPACES, undefined, obj.metadata.namespace),
        obj,
      );
    if (this.store.get(type, obj.metadata.namespace, obj.metadata.name)) {
      throw alreadyExists(refOf(type, obj.metadata.name));
    }
    const created = this.store.create(type, obj);
    if (type === NAMESPACES)
      this.createDefaultServiceAccount(created.metadata.name);
    return created;
  }

  private prepareForCreate(
    type: ResourceType,
    namespace: string | undefined,
    body: any,
  ): any {
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw badRequest('the request body must be a JSON object');
    const obj = clone(body);
    obj.apiVersion = apiVersionOf(type);
    obj.kind = type.kind;
    const metadata = (obj.metadata ??= {});
    if (type.namespaced) {
      if (metadata.namespace && metadata.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      metadata.namespace = namespace;
      this.assertNamespaceAcceptsContent(
        type,
        namespace!,
        metadata.name ?? metadata.generateName ?? '',
      );
    } else {
      delete metadata.namespace;
    }
    if (!metadata.name && metadata.generateName) {
      metadata.name = `${metadata.generateName}${randomSuffix()}`;
    }
    validateObject(type, obj);
    metadata.uid = randomUUID();
    metadata.creationTimestamp = now();
    metadata.generation = 1;
    delete metadata.resourceVersion;
    delete metadata.deletionTimestamp;
    delete metadata.deletionGracePeriodSeconds;
    admitCreate(type.kind, obj);
    return obj;
  }

  private assertNamespaceAcceptsContent(
    type: ResourceType,
    namespace: string,
    name: string,
  ): void {
    const ns = this.store.get(NAMESPACES, undefined, namespace);
    if (!ns) throw notFound(refOf(NAMESPACES, namespace));
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(
        refOf(type, name),
        `unable to create new content in namespace ${namespace} because it is being terminated`,
      );
    }
  }

  private createDefaultServiceAccount(namespace: string): void {
    if (this.store.get(SERVICE_ACCOUNTS, namespace, 'default')) return;
    this.store.create(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'default',
        namespace,
        uid: randomUUID(),
        creationTimestamp: now(),
      },
    });
  }

  /**
   * PUT semantics. Writes to the main resource keep the stored status; writes
   * to `/status` change only the status, as the real status subresource does.
   */
  update(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    body: any,
    subresource?: 'status',
  ): any {
    if (!body || typeof body !== 'object')
      throw badRequest('the request body must be a JSON object');
    const current = this.get(type, namespace, name);
    if (body.metadata?.name && body.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const requestedVersion = body.metadata?.resourceVersion;
    if (
      requestedVersion &&
      requestedVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(
        refOf(type, name),
        'the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    let next: any;
    if (subresource === 'status') {
      next = { ...current, status: clone(body.status) };
    } else {
      next = clone(body);
      next.apiVersion = current.apiVersion;
      next.kind = current.kind;
      next.metadata = { ...next.metadata };
      if (type.subresources?.includes('status')) next.status = current.status;
      if (type === PODS) validatePodSpecUpdate(current, next);
      if (JSON.stringify(next.spec) !== JSON.stringify(current.spec)) {
        next.metadata.generation = (current.metadata.generation ?? 1) + 1;
      } else {
        next.metadata.generation = current.metadata.generation;
      }
    }
    // Identity and lifecycle fields are owned by the server.
    for (const field of [
      'name',
      'namespace',
      'uid',
      'creationTimestamp',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
    ]) {
      if (current.metadata[field] === undefined) delete next.metadata[field];
      else next.metadata[field] = current.metadata[field];
    }
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    admitUpdate(type.kind, next);
    validateObject(type, next);
    const finalizersCleared =
      current.metadata.deletionTimestamp &&
      (current.metadata.finalizers ?? []).length > 0 &&
      (next.metadata.finalizers ?? []).length === 0;
    if (
      finalizersCleared &&
      type !== NAMESPACES &&
      (type !== PODS || this.podDeletionDue(current))
    ) {
      return this.store.remove(type, namespace, name);
    }
    if (sameContent(current, next)) return current;
    return this.store.update(type, next);
  }

  patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: any,
    subresource?: 'status',
  ): any {
    const isApply = contentType.startsWith('application/apply-patch');
    const current = this.store.get(type, namespace, name);
    if (!current) {
      // Server-side apply creates what does not exist yet.
      if (isApply)
        return this.create(type, namespace, {
          ...body,
          metadata: { ...body?.metadata, name },
        });
      throw notFound(refOf(type, name));
    }
    const patched = applyPatch(current, contentType, body);
    if (!patched || typeof patched !== 'object')
      throw badRequest('the patch produced a non-object');
    // A resourceVersion the patch sets is a precondition; otherwise the patch applies to the current version.
    patched.metadata = { ...patched.metadata };
    patched.metadata.resourceVersion ??= current.metadata.resourceVersion;
    return this.update(type, namespace, name, patched, subresource);
  }

  /**
   * DELETE semantics. Pods bound to a node are deleted gracefully: they get a
   * deletionTimestamp and stay until the kubelet confirms (a second delete
   * with gracePeriodSeconds=0) or the grace period runs out. Unbound or
   * finished pods, and gracePeriodSeconds=0, remove at once. Objects with
   * finalizers stay until the finalizers are cleared.
   */
  delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): any {
    const current = this.get(type, namespace, name);
    const { preconditions } = options;
    if (preconditions?.uid && preconditions.uid !== current.metadata.uid) {
      throw conflict(
        refOf(type, name),
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (
      preconditions?.resourceVersion &&
      preconditions.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw conflict(
        refOf(type, name),
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (options.propagationPolicy === 'Orphan')
      this.orphanedOwners.add(current.metadata.uid);
    if (type === NAMESPACES) return this.beginNamespaceTermination(current);
    if (type === PODS)
      return this.deletePod(current, options.gracePeriodSeconds);
    if ((current.metadata.finalizers ?? []).length > 0)
      return this.markDeleting(type, current, 0);
    return this.store.remove(type, namespace, name);
  }

  deleteCollection(
    type: ResourceType,
    namespace: string | undefined,
    selectors: Selector[],
    options: DeleteOptions,
  ): any[] {
    const { items } = this.list(type, namespace, selectors);
    return items.map(item =>
      this.delete(type, item.metadata.namespace, item.metadata.name, options),
    );
  }

  private isPodFinished(pod: any): boolean {
    return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  }

  private deletePod(pod: any, requestedGrace: number | undefined): any {
    const grace =
      requestedGrace ??
      pod.metadata.deletionGracePeriodSeconds ??
      pod.spec?.terminationGracePeriodSeconds ??
      30;
    const hasFinalizers = (pod.metadata.finalizers ?? []).length > 0;
    const immediate =
      grace <= 0 || !pod.spec?.nodeName || this.isPodFinished(pod);
    if (immediate && !hasFinalizers) {
      this.clearGracefulTimer(pod);
      return this.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
    }
    const currentGrace = pod.metadata.deletionGracePeriodSeconds;
    // A repeated delete may only shorten the grace period.
    if (currentGrace !== undefined && grace >= currentGrace) return pod;
    const marked = this.markDeleting(PODS, pod, Math.max(grace, 0));
    if (!immediate) this.scheduleGracefulRemoval(marked, grace);
    return marked;
  }

  private podDeletionDue(pod: any): boolean {
    return (
      pod.metadata.deletionGracePeriodSeconds === 0 ||
      !pod.spec?.nodeName ||
      this.isPodFinished(pod) ||
      Date.parse(pod.metadata.deletionTimestamp) <= Date.now()
    );
  }

  private markDeleting(
    type: ResourceType,
    obj: any,
    graceSeconds: number,
  ): any {
    const next = clone(obj);
    next.metadata.deletionTimestamp = now(graceSeconds * 1000);
    next.metadata.deletionGracePeriodSeconds = graceSeconds;
    return this.store.update(type, next);
  }

  private timerKey(pod: any): string {
    return `${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`;
  }

  private clearGracefulTimer(pod: any): void {
    const key = this.timerKey(pod);
    clearTimeout(this.gracefulTimers.get(key));
    this.gracefulTimers.delete(key);
  }

  /** When the grace period runs out without the kubelet confirming, the pod is removed anyway. */
  private scheduleGracefulRemoval(pod: any, graceSeconds: number): void {
    this.clearGracefulTimer(pod);
    const key = this.timerKey(pod);
    const timer = setTimeout(() => {
      this.gracefulTimers.delete(key);
      const current = this.store.get(
        PODS,
        pod.metadata.namespace,
        pod.metadata.name,
      );
      if (
        current?.metadata.uid === pod.metadata.uid &&
        (current.metadata.finalizers ?? []).length === 0
      ) {
        this.store.remove(PODS, pod.metadata.namespace, pod.metadata.name);
      }
    }, graceSeconds * 1000);
    timer.unref();
    this.gracefulTimers.set(key, timer);
  }

  private beginNamespaceTermination(ns: any): any {
    if (ns.metadata.deletionTimestamp) return ns;
    const next = clone(ns);
    next.metadata.deletionTimestamp = now();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...next.status, phase: 'Terminating' };
    return this.store.update(NAMESPACES, next);
  }

  /** Binds a pod to a node (the `pods/binding` subresource); a pod can be bound only once. */
  bind(namespace: string, podName: string, binding: any): any {
    const pod = this.get(PODS, namespace, podName);
    const nodeName = binding?.target?.name;
    if (!nodeName) throw badRequest('binding target name is required');
    if (pod.spec.nodeName) {
      throw conflict(
        refOf(PODS, podName),
        `pod ${podName} is already assigned to node "${pod.spec.nodeName}"`,
      );
    }
    if (pod.metadata.deletionTimestamp) {
      throw conflict(
        refOf(PODS, podName),
        'pod is being deleted, cannot be assigned to a host',
      );
    }
    pod.spec.nodeName = nodeName;
    const conditions = (pod.status.conditions ?? []).filter(
      (c: any) => c.type !== 'PodScheduled',
    );
    conditions.push({
      type: 'PodScheduled',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: now(),
    });
    pod.status.conditions = conditions;
    this.store.update(PODS, pod);
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      code: 201,
    };
  }

  /** Stops pending graceful-deletion timers so the process can exit. */
  close(): void {
    for (const timer of this.gracefulTimers.values()) clearTimeout(timer);
    this.gracefulTimers.clear();
  }
}
