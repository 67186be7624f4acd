import type { V1Pod } from '@kubernetes/client-node';
import { KeyedWorkQueue } from './KeyedWorkQueue';
import { coalescePodEvents, type PodEvent } from './runDecision';

/** A promise and the function that settles it. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => {
    open = resolve;
  });
  return { open, opened };
}

const event = (version: string, deleted = false): PodEvent => ({
  pod: { metadata: { resourceVersion: version } } as V1Pod,
  deleted,
});
const seen = (e: PodEvent) => `${e.pod.metadata!.resourceVersion}${e.deleted ? ' deleted' : ''}`;

/** A queue whose work records what it saw and, per key, waits for its gate before finishing. */
function recordingQueue() {
  const done: string[] = [];
  const running = new Map<string, number>();
  let mostAtOnce = 0;
  const gates: Array<ReturnType<typeof gate>> = [];
  const queue = new KeyedWorkQueue<PodEvent>({
    merge: coalescePodEvents,
    onError: () => undefined,
    work: async (key, e) => {
      running.set(key, (running.get(key) ?? 0) + 1);
      mostAtOnce = Math.max(mostAtOnce, running.get(key)!);
      const g = gate();
      gates.push(g);
      await g.opened;
      running.set(key, running.get(key)! - 1);
      done.push(`${key}: ${seen(e)}`);
    },
  });
  /** Opens the gates of the work now running, and lets what follows start. */
  const release = async () => {
    gates.splice(0).forEach(g => g.open());
    await new Promise(resolve => setImmediate(resolve));
  };
  return { queue, done, release, mostAtOnce: () => mostAtOnce, started: () => gates.length };
}

describe('KeyedWorkQueue', () => {
  it('folds the events that arrive while a run is reconciled into one more reconcile, with the latest pod', async () => {
    const { queue, done, release } = recordingQueue();
    const first = queue.add('run-a', event('1'));
    await release(); // nothing running yet: lets the first start
    const later = [queue.add('run-a', event('2')), queue.add('run-a', event('3')), queue.add('run-a', event('4'))];
    await release();
    await release();
    await Promise.all([first, ...later]);
    expect(done).toEqual(['run-a: 1', 'run-a: 4']);
    expect(queue.size).toBe(0);
  });

  it('folds events delivered together, before any work starts, into one', async () => {
    const { queue, done, release } = recordingQueue();
    const all = [queue.add('run-a', event('1')), queue.add('run-a', event('2'))];
    await release();
    await release();
    await Promise.all(all);
    expect(done).toEqual(['run-a: 2']);
  });

  it('never loses a deletion: it wins over the events that follow it, and a later deletion wins too', async () => {
    const { queue, done, release } = recordingQueue();
    const first = queue.add('run-a', event('1'));
    await release();
    const later = [
      queue.add('run-a', event('2')),
      queue.add('run-a', event('3', true)),
      queue.add('run-a', event('4')),
    ];
    await release();
    await release();
    await Promise.all([first, ...later]);
    expect(done).toEqual(['run-a: 1', 'run-a: 3 deleted']);

    const again = [queue.add('run-b', event('5')), queue.add('run-b', event('6', true))];
    await release();
    await release();
    await Promise.all(again);
    expect(done.slice(2)).toEqual(['run-b: 6 deleted']);
  });

  it('runs one reconcile per run at a time, and different runs side by side', async () => {
    const { queue, done, release, mostAtOnce, started } = recordingQueue();
    const all = [queue.add('run-a', event('1')), queue.add('run-b', event('1'))];
    await release();
    expect(started()).toBe(2); // both runs at once
    all.push(queue.add('run-a', event('2')));
    await new Promise(resolve => setImmediate(resolve));
    expect(started()).toBe(2); // run-a's next waits for its first
    await release();
    await release();
    await Promise.all(all);
    expect(mostAtOnce()).toBe(1);
    expect(done.filter(d => d.startsWith('run-a'))).toEqual(['run-a: 1', 'run-a: 2']);
  });

  it('reports a failed reconcile and goes on with the run\'s next one', async () => {
    const errors: string[] = [];
    const seenEvents: string[] = [];
    const queue = new KeyedWorkQueue<PodEvent>({
      merge: coalescePodEvents,
      onError: (key, error) => errors.push(`${key}: ${(error as Error).message}`),
      work: async (_key, e) => {
        seenEvents.push(seen(e));
        if (seenEvents.length === 1) throw new Error('API down');
      },
    });
    await expect(queue.add('run-a', event('1'))).resolves.toBeUndefined();
    await queue.add('run-a', event('2'));
    expect(errors).toEqual(['run-a: API down']);
    expect(seenEvents).toEqual(['1', '2']);
  });

  it('tells how long each reconcile waited, from the oldest event folded into it', async () => {
    let clock = 1_000;
    const waits: string[] = [];
    const gates: Array<ReturnType<typeof gate>> = [];
    const queue = new KeyedWorkQueue<PodEvent>({
      onError: () => undefined,
      now: () => clock,
      onStart: (key, waitedMs) => waits.push(`${key}: ${waitedMs}`),
      work: async () => {
        const g = gate();
        gates.push(g);
        await g.opened;
      },
    });
    const first = queue.add('run-a', event('1'));
    await new Promise(resolve => setImmediate(resolve));
    expect(waits).toEqual(['run-a: 0']);
    clock += 200; // queued while the first reconcile runs
    const second = queue.add('run-a', event('2'));
    clock += 300; // folded into the one still waiting
    const third = queue.add('run-a', event('3'));
    clock += 500;
    gates.splice(0).forEach(g => g.open());
    await new Promise(resolve => setImmediate(resolve));
    expect(waits).toEqual(['run-a: 0', 'run-a: 800']);
    gates.splice(0).forEach(g => g.open());
    await Promise.all([first, second, third]);
  });
});
