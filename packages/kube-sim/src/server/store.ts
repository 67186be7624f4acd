import type { ResourceType } from './resourceType';
import { StoreEvent, WatchEventType, WatchHub } from './watchHub';

/** Deep copy so callers can never mutate stored state or published events. */
export const clone = <T>(value: T): T => structuredClone(value);

function keyOf(
  type: ResourceType,
  namespace: string | undefined,
  name: string,
): string {
  return `${type.group}/${type.plural}/${namespace ?? ''}/${name}`;
}

/**
 * The object store: plain JSON objects keyed by type, namespace and name, one
 * global resourceVersion counter (like etcd's revision), and every change
 * published to the watch hub. Semantics (validation, conflicts, deletion
 * rules) live in the layer above; this only stores and stamps versions.
 */
export class Store {
  private readonly objects = new Map<
    string,
    { type: ResourceType; object: any }
  >();
  private readonly listeners: Array<(event: StoreEvent) => void> = [];
  private revision: number;
  readonly hub: WatchHub;

  constructor(
    options: { initialResourceVersion?: number; watchWindow?: number } = {},
  ) {
    this.revision = options.initialResourceVersion ?? 1000;
    this.hub = new WatchHub(this.revision, options.watchWindow ?? 5000);
  }

  get resourceVersion(): number {
    return this.revision;
  }

  get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): any | undefined {
    const entry = this.objects.get(keyOf(type, namespace, name));
    return entry === undefined ? undefined : clone(entry.object);
  }

  /** All objects of a type, in one namespace or (undefined) across all, sorted like the real server (by key). */
  list(type: ResourceType, namespace?: string): any[] {
    const prefix = `${type.group}/${type.plural}/${
      namespace === undefined ? '' : `${namespace}/`
    }`;
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, entry]) => clone(entry.object));
  }

  /** Every stored object of every type, for cross-type scans (garbage collection, namespace cleanup). */
  all(): Array<{ type: ResourceType; object: any }> {
    return [...this.objects.values()].map(({ type, object }) => ({
      type,
      object: clone(object),
    }));
  }

  /**
   * Registers an in-process controller (garbage collector, namespace
   * lifecycle). Unlike watches these are never dropped by fault injection.
   */
  onChange(listener: (event: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  create(type: ResourceType, obj: any): any {
    return this.write(type, obj, 'ADDED');
  }

  update(type: ResourceType, obj: any): any {
    return this.write(type, obj, 'MODIFIED');
  }

  remove(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): any | undefined {
    const key = keyOf(type, namespace, name);
    const previous = this.objects.get(key)?.object;
    if (previous === undefined) return undefined;
    this.objects.delete(key);
    const object = clone(previous);
    // The real server stamps the DELETED event with the deletion's revision.
    object.metadata.resourceVersion = String(++this.revision);
    this.emit(type, 'DELETED', object, previous);
    return clone(object);
  }

  private write(type: ResourceType, obj: any, eventType: WatchEventType): any {
    const key = keyOf(type, obj.metadata.namespace, obj.metadata.name);
    const previous = this.objects.get(key)?.object;
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(++this.revision);
    this.objects.set(key, { type, object: stored });
    this.emit(type, eventType, stored, previous);
    return clone(stored);
  }

  private emit(
    resourceType: ResourceType,
    type: WatchEventType,
    object: any,
    previous: any,
  ): void {
    const event: StoreEvent = {
      resourceVersion: this.revision,
      type,
      resourceType,
      object: clone(object),
      previous: previous === undefined ? undefined : clone(previous),
    };
    this.hub.publish(event);
    for (const listener of this.listeners) listener(event);
  }
}
