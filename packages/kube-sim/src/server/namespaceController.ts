import { ObjectApi } from './objectApi';
import { findType } from './resources';
import { Store } from './store';

const NAMESPACES = findType('', 'v1', 'namespaces')!;

/**
 * Namespace termination: once a namespace has a deletionTimestamp, delete
 * everything in it (pods gracefully) and remove the namespace itself when it
 * is empty.
 */
export class NamespaceController {
  private stopped = false;

  constructor(private readonly api: ObjectApi, private readonly store: Store) {
    store.onChange(event => {
      if (event.resourceType === NAMESPACES) {
        if (
          event.type !== 'DELETED' &&
          event.object.metadata.deletionTimestamp
        ) {
          const name = event.object.metadata.name;
          setImmediate(() => this.drain(name));
        }
        return;
      }
      const namespace = event.object.metadata?.namespace;
      if (event.type === 'DELETED' && namespace)
        setImmediate(() => this.finishIfEmpty(namespace));
    });
  }

  private contentsOf(namespace: string) {
    return this.store
      .all()
      .filter(
        e => e.type.namespaced && e.object.metadata.namespace === namespace,
      );
  }

  private drain(namespace: string): void {
    if (this.stopped) return;
    for (const { type, object } of this.contentsOf(namespace)) {
      if (object.metadata.deletionTimestamp) continue;
      try {
        this.api.delete(type, namespace, object.metadata.name);
      } catch {
        // Deleted concurrently.
      }
    }
    this.finishIfEmpty(namespace);
  }

  private finishIfEmpty(namespace: string): void {
    if (this.stopped) return;
    const ns = this.store.get(NAMESPACES, undefined, namespace);
    if (!ns?.metadata.deletionTimestamp) return;
    if (this.contentsOf(namespace).length === 0)
      this.store.remove(NAMESPACES, undefined, namespace);
  }

  stop(): void {
    this.stopped = true;
  }
}
