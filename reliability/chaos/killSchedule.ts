import type { Knex } from 'knex';
import { measureReadoption, type Readoption } from './readoption';
import { restartDelay, type Replica } from './replica';
import { sleep } from './waitFor';

/** One kill -9 of a replica and what followed it. */
export interface Kill {
  replica: string;
  /** Whether it held the reconciler lease when killed (its runs' logs had to be re-adopted). */
  heldLease: boolean;
  killedAt: number;
  /** When the replica served again after its restart. */
  restartedAt?: number;
  /** When a replica next took the lease after the kill (from the replicas' logs). */
  takeoverAt?: number;
  readoptions: Readoption[];
}

/**
 * The replica holding the reconciler lease now, from the replicas' logs: the latest taker still
 * alive (a holder keeps the lease for as long as it runs).
 */
export function leaseHolder(replicas: Replica[]): Replica | undefined {
  const now = Date.now();
  let holder: Replica | undefined;
  let latest = 0;
  for (const replica of replicas) {
    if (!replica.running) continue;
    const taken = replica.leaseTakenTimes().filter(t => t <= now).pop() ?? 0;
    if (taken > latest) {
      latest = taken;
      holder = replica;
    }
  }
  return holder;
}

/**
 * Kills a replica with SIGKILL every `intervalMs`, `count` times, and starts it again: the lease
 * holder when the logs tell which one it is (the interesting case: its runs must be re-adopted),
 * otherwise the replicas in turn. Measures re-adoption for every kill.
 */
export async function runKills(options: {
  replicas: Replica[];
  db: Knex;
  count: number;
  intervalMs: number;
  leaseMs: number;
  log: (message: string) => void;
}): Promise<Kill[]> {
  const kills: Kill[] = [];
  const measured: Promise<void>[] = [];
  for (let k = 0; k < options.count; k++) {
    await sleep(options.intervalMs);
    const holder = leaseHolder(options.replicas);
    const victim = holder ?? options.replicas[k % options.replicas.length];
    const kill: Kill = { replica: victim.name, heldLease: victim === holder, killedAt: Date.now(), readoptions: [] };
    await victim.kill();
    options.log(`kill -9 ${victim.name}${kill.heldLease ? ' (lease holder)' : ''}`);
    const measuring = measureReadoption(options.db, kill.killedAt, { timeoutMs: options.leaseMs + 90_000 });
    await restartDelay();
    await victim.start();
    kill.restartedAt = Date.now();
    options.log(`${victim.name} serving again after ${((kill.restartedAt - kill.killedAt) / 1000).toFixed(1)} s`);
    // Re-adoption may take longer than the next interval: measured meanwhile.
    measured.push(
      measuring.then(readoptions => {
        kill.readoptions = readoptions;
        const takeover = Math.min(
          ...options.replicas.map(r => r.leaseTakenTimes().find(t => t > kill.killedAt) ?? Infinity),
        );
        kill.takeoverAt = Number.isFinite(takeover) ? takeover : undefined;
      }),
    );
    kills.push(kill);
  }
  await Promise.all(measured);
  return kills;
}
