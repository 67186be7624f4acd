import type { ResourceType } from './resourceType';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change in the store; `previous` lets watchers with selectors see objects leave or enter their view. */
export interface StoreEvent {
  resourceVersion: number;
  type: WatchEventType;
  resourceType: ResourceType;
  object: any;
  previous?: any;
}

export interface WatchSubscriber {
  onEvent(event: StoreEvent): void;
  /** Called when the hub drops the watch (fault injection or shutdown); the stream should end. */
  onClose(): void;
}

/**
 * Keeps a bounded window of recent events so a watch can resume from a
 * resourceVersion, and fans new events out to open watches. A resourceVersion
 * older than the window can no longer be resumed (410 Gone).
 */
export class WatchHub {
  private history: StoreEvent[] = [];
  /** Watches may resume from any resourceVersion >= this; earlier ones were compacted away. */
  private oldestResumable: number;
  private readonly subscribers = new Set<WatchSubscriber>();

  constructor(
    initialResourceVersion: number,
    private readonly windowSize: number,
  ) {
    this.oldestResumable = initialResourceVersion;
  }

  publish(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.windowSize) {
      const dropped = this.history.splice(
        0,
        this.history.length - this.windowSize,
      );
      this.oldestResumable = dropped[dropped.length - 1].resourceVersion;
    }
    for (const subscriber of [...this.subscribers]) subscriber.onEvent(event);
  }

  /** Events after `resourceVersion`, or undefined when that version has been compacted (caller answers 410). */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestResumable) return undefined;
    return this.history.filter(e => e.resourceVersion > resourceVersion);
  }

  get oldestResumableVersion(): number {
    return this.oldestResumable;
  }

  subscribe(subscriber: WatchSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Forgets all history up to `currentResourceVersion`, like etcd compaction. */
  compact(currentResourceVersion: number): void {
    this.history = [];
    this.oldestResumable = currentResourceVersion;
  }

  /** Ends every open watch; returns how many were dropped. */
  dropAll(): number {
    const subscribers = [...this.subscribers];
    this.subscribers.clear();
    for (const subscriber of subscribers) subscriber.onClose();
    return subscribers.length;
  }

  get openWatches(): number {
    return this.subscribers.size;
  }
}
