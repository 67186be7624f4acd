import { ObjectApi } from './objectApi';
import type { ResourceType } from './resourceType';
import { Store } from './store';

/**
 * Background cascading deletion: when an object goes, every object that lists
 * it in `ownerReferences` and has no other live owner is deleted too (which
 * cascades further). With propagationPolicy=Orphan the dependents instead lose
 * the owner reference. Runs after the triggering request, like the real
 * controller, so clients observe the owner's DELETED event first.
 */
export class GarbageCollector {
  private stopped = false;

  constructor(private readonly api: ObjectApi, store: Store) {
    store.onChange(event => {
      if (event.type !== 'DELETED') return;
      const uid = event.object.metadata?.uid;
      if (uid) setImmediate(() => this.collect(uid));
    });
  }

  private collect(ownerUid: string): void {
    if (this.stopped) return;
    const everything = this.api.store.all();
    const liveUids = new Set(everything.map(e => e.object.metadata.uid));
    const orphan = this.api.orphanedOwners.delete(ownerUid);
    for (const { type, object } of everything) {
      const refs: any[] = object.metadata.ownerReferences ?? [];
      if (!refs.some(r => r.uid === ownerUid)) continue;
      if (orphan) {
        this.removeOwnerReference(type, object, ownerUid);
      } else if (!refs.some(r => r.uid !== ownerUid && liveUids.has(r.uid))) {
        this.tryDelete(type, object);
      }
    }
  }

  private removeOwnerReference(
    type: ResourceType,
    object: any,
    ownerUid: string,
  ): void {
    object.metadata.ownerReferences = object.metadata.ownerReferences.filter(
      (r: any) => r.uid !== ownerUid,
    );
    if (object.metadata.ownerReferences.length === 0)
      delete object.metadata.ownerReferences;
    try {
      this.api.update(
        type,
        object.metadata.namespace,
        object.metadata.name,
        object,
      );
    } catch {
      // The dependent changed or vanished meanwhile; nothing left to orphan.
    }
  }

  private tryDelete(type: ResourceType, object: any): void {
    try {
      this.api.delete(type, object.metadata.namespace, object.metadata.name, {
        preconditions: { uid: object.metadata.uid },
      });
    } catch {
      // Already gone or replaced by a new object of the same name.
    }
  }

  stop(): void {
    this.stopped = true;
  }
}
