import { mockServices } from '@backstage/backend-test-utils';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import type { LeaseStore } from '../database/LeaseStore';
import { DatabaseLease } from './ReconcilerLease';

jest.setTimeout(60_000);

const TTL_MS = 600;

/** Replicas' work: records who works when, and whether two ever worked at once. */
function workLog() {
  const log = { working: new Set<string>(), overlaps: 0, starts: [] as { who: string; at: number }[] };
  const work = (who: string) => async (signal: AbortSignal) => {
    log.working.add(who);
    if (log.working.size > 1) log.overlaps++;
    log.starts.push({ who, at: Date.now() });
    await new Promise(resolve => signal.addEventListener('abort', resolve, { once: true }));
    log.working.delete(who);
  };
  return { log, work };
}

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

describeOnEachDatabase('DatabaseLease', t => {
  const logger = mockServices.logger.mock();

  it('lets one replica work at a time, and hands over at once when it stops', async () => {
    await t.knex('agents_leases').delete();
    const { log, work } = workLog();
    const a = new DatabaseLease({ store: t.db.leases, ttlMs: TTL_MS, logger });
    const b = new DatabaseLease({ store: t.db.leases, ttlMs: TTL_MS, logger });
    a.run(work('a'));
    await until(() => log.working.has('a'));
    b.run(work('b'));
    // Several renewal periods: the holder keeps the lease, the other waits.
    await new Promise(resolve => setTimeout(resolve, TTL_MS * 3));
    expect([...log.working]).toEqual(['a']);
    const stoppedAt = Date.now();
    await a.stop();
    await until(() => log.working.has('b'));
    // Released, not lapsed: the other replica takes it at its next try.
    expect(log.starts.at(-1)!.at - stoppedAt).toBeLessThan(TTL_MS);
    await b.stop();
    expect(log.overlaps).toBe(0);
  });

  it('stops the work of a holder that loses the database before another replica may start', async () => {
    await t.knex('agents_leases').delete();
    const { log, work } = workLog();
    let reachable = true;
    const flaky: Pick<LeaseStore, 'acquire' | 'release'> = {
      acquire: async (...args) => {
        if (!reachable) throw new Error('connection refused');
        return t.db.leases.acquire(...args);
      },
      release: async (...args) => t.db.leases.release(...args),
    };
    const a = new DatabaseLease({ store: flaky, ttlMs: TTL_MS, logger });
    const b = new DatabaseLease({ store: t.db.leases, ttlMs: TTL_MS, logger });
    a.run(work('a'));
    await until(() => log.working.has('a'));
    b.run(work('b'));
    reachable = false;
    const cutAt = Date.now();
    await until(() => log.working.has('b'));
    // The lease lapsed (no release): the other replica waited for it, and a had stopped by then.
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(TTL_MS / 3);
    expect(log.overlaps).toBe(0);
    await Promise.all([a.stop(), b.stop()]);
  });
});
