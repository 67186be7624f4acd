/** One key's state: the item waiting for its turn, and whether a worker is on the key. */
interface Slot<T> {
  running: boolean;
  pending?: {
    item: T;
    done: Promise<void>;
    resolve: () => void;
    queuedAt: number;
  };
}

/**
 * Runs work per key, one item at a time for each key and keys in parallel. Items that arrive while
 * a key's work is queued or running do not queue up behind each other: they fold into the one item
 * still waiting (`merge`, by default the newer wins), so a burst of events costs one more pass, not
 * one each. `add` settles once the work that covers its item has run; failures go to `onError`.
 */
export class KeyedWorkQueue<T> {
  private readonly slots = new Map<string, Slot<T>>();

  constructor(
    private readonly options: {
      work: (key: string, item: T) => Promise<void>;
      onError: (key: string, error: unknown) => void;
      merge?: (pending: T, incoming: T) => T;
      /** Told as a key's work starts, with how long its item (the oldest folded into it) waited. */
      onStart?: (key: string, waitedMs: number) => void;
      /** The clock `onStart` measures with. */
      now?: () => number;
    },
  ) {}

  add(key: string, item: T): Promise<void> {
    let slot = this.slots.get(key);
    if (!slot) {
      slot = { running: false };
      this.slots.set(key, slot);
    }
    if (slot.pending) {
      const { merge = (_pending: T, incoming: T) => incoming } = this.options;
      slot.pending.item = merge(slot.pending.item, item);
      return slot.pending.done;
    }
    let resolve!: () => void;
    const done = new Promise<void>(r => {
      resolve = r;
    });
    slot.pending = { item, done, resolve, queuedAt: this.now() };
    if (!slot.running) void this.drain(key, slot);
    return done;
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.slots.size;
  }

  private async drain(key: string, slot: Slot<T>) {
    slot.running = true;
    // Start on the next microtask, so events delivered together fold into the first.
    await Promise.resolve();
    while (slot.pending) {
      const { item, resolve, queuedAt } = slot.pending;
      slot.pending = undefined;
      this.options.onStart?.(key, this.now() - queuedAt);
      try {
        await this.options.work(key, item);
      } catch (error) {
        this.options.onError(key, error);
      }
      resolve();
    }
    slot.running = false;
    this.slots.delete(key);
  }
}
