import { cpuMeter } from '../cpu';
import { startBenchBackend } from '../processes/benchBackend';
import { forkClient } from '../processes/forkClient';
import { summarize } from '../stats';
import type { Row } from '../table';
import { figure } from '../target';

/**
 * Watch-driven status: a pod's status change → the session's status in the database, on PostgreSQL.
 * No kubelet runs; another process stands in for one (`podStatusDriver.mjs`): it starts a session,
 * and once its pod exists it patches the pod's `status` subresource to Running (containers running),
 * then deletes the pod. The reconciler watches pods and moves the session to `running`, then to
 * `failed` ("the pod was deleted before the run finished"); the database's status callback gives
 * the moment each write committed. A pod that ends with Succeeded is judged from its whole log,
 * which only a kubelet serves: deletion is the end the reconciler decides from the pod alone.
 *
 * BENCH_STATUS_SESSIONS and BENCH_STATUS_RATE scale it down for development.
 */
const SESSIONS = Number(process.env.BENCH_STATUS_SESSIONS ?? 200);
const RATE = Number(process.env.BENCH_STATUS_RATE ?? 20);
const DELETE_AFTER_MS = 500;

export async function statusWatchCase(): Promise<Row[]> {
  const backend = await startBenchBackend({
    policies: { steady: { maxConcurrentGlobal: 3000, maxConcurrentPerEntity: 3000 } },
    templatePolicies: [{ template: 'template:default/steady', policy: 'steady' }],
  });
  // When each session's status was written, by session id and status.
  const written = new Map<string, number>();
  backend.onStatusChanges((...changes) => {
    const at = performance.timeOrigin + performance.now();
    for (const change of changes) written.set(`${change.id}/${change.status}`, at);
  });
  const driver = await forkClient('podStatusDriver.mjs', {
    api: backend.api,
    namespace: 'agents',
    url: backend.sessionsUrl,
  });
  const cpu = cpuMeter();
  const rows: Row[] = [];
  try {
    const body = { entityRef: 'orders', prompt: 'Benchmark', templateRef: 'template:default/steady' };
    await driver.run({ count: 10, rate: RATE, body, deleteAfterMs: DELETE_AFTER_MS }); // warm-up
    cpu.start();
    const runs = await driver.run<Array<{ sessionId: string; runningSentAt: number; deletedSentAt: number }>>({
      count: SESSIONS,
      rate: RATE,
      body,
      deleteAfterMs: DELETE_AFTER_MS,
    });
    // The last deletions' writes may still be on their way.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && runs.some(r => !written.has(`${r.sessionId}/failed`))) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    const cpuPerSession = cpu.stop() / SESSIONS;
    const lag = (status: string, sentAt: (r: (typeof runs)[number]) => number) =>
      runs.map(r => {
        const at = written.get(`${r.sessionId}/${status}`);
        if (at === undefined) throw new Error(`Session ${r.sessionId} never became ${status}`);
        return at - sentAt(r);
      });
    const running = summarize(lag('running', r => r.runningSentAt));
    const deleted = summarize(lag('failed', r => r.deletedSentAt));
    rows.push(
      figure(`pod status Running → session running in the DB, p50 (${SESSIONS} at ${RATE}/s)`, running.p50, 'ms', undefined, cpuPerSession),
      figure('pod status Running → session running in the DB, p99', running.p99, 'ms', { max: 100 }),
      figure('pod deleted → session failed in the DB, p50', deleted.p50, 'ms'),
      figure('pod deleted → session failed in the DB, p99', deleted.p99, 'ms', { max: 100 }),
    );
  } finally {
    await driver.stop();
    await backend.stop();
  }
  return rows;
}
