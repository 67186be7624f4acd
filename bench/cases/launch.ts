import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cpuMeter } from '../cpu';
import { startBenchBackend } from '../processes/benchBackend';
import { forkClient } from '../processes/forkClient';
import { summarize } from '../stats';
import type { Row } from '../table';
import { fact, figure } from '../target';

const run = promisify(execFile);

/**
 * `POST /sessions` → pod created (its ADDED event seen by a watch in another process), on
 * PostgreSQL, with the simulator and the client (load generator and pod watch) each in its own
 * process, so that this process's CPU time is the backend's. No kubelet runs: pods stay Pending and
 * sessions never finish, so only creation is measured.
 *
 *  - sustained: an open-loop schedule of RATE launches per second for SECONDS, under a policy
 *    whose caps leave room for all of them (3,000 at the defaults);
 *  - one at a time: each launch waits for the previous pod, beside `kubectl create -f` of the same
 *    pod against the same simulator (process start included: that is what a user of kubectl waits);
 *  - fan-out: a fan-out session, then FAN_OUT task sessions at once under a cap of FAN_OUT (time
 *    until every pod exists), and the same burst under a cap of CAP (how many start).
 *
 * BENCH_LAUNCH_RATE, BENCH_LAUNCH_SECONDS and BENCH_LAUNCH_SEQUENTIAL scale it down for development.
 */
const RATE = Number(process.env.BENCH_LAUNCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_LAUNCH_SECONDS ?? 30);
const SEQUENTIAL = Number(process.env.BENCH_LAUNCH_SEQUENTIAL ?? 100);
const KUBECTL = 20;
const FAN_OUT = 200;
const CAP = 50;

export async function launchCase(): Promise<Row[]> {
  const sustainedCount = Math.round(RATE * SECONDS);
  const backend = await startBenchBackend({
    policies: {
      // Room for every sustained launch: no kubelet runs, so none of them ever frees its slot.
      steady: { maxConcurrentGlobal: Math.max(3000, sustainedCount), maxConcurrentPerEntity: Math.max(3000, sustainedCount) },
      single: { maxConcurrentGlobal: 1000, maxConcurrentPerEntity: 1000 },
      fanout: { maxConcurrentGlobal: FAN_OUT, maxConcurrentPerEntity: FAN_OUT },
      capped: { maxConcurrentGlobal: CAP },
    },
    templatePolicies: ['steady', 'single', 'fanout', 'capped'].map(policy => ({
      template: `template:default/${policy}`,
      policy,
    })),
  });
  const client = await forkClient('launchClient.mjs', {
    api: backend.api,
    namespace: 'agents',
    url: backend.sessionsUrl,
  });
  const cpu = cpuMeter();
  const body = (entityRef: string, policy: string, extra: object = {}) => ({
    entityRef,
    prompt: 'Benchmark',
    templateRef: `template:default/${policy}`,
    ...extra,
  });
  const rows: Row[] = [];
  try {
    // Warm-up: JIT, connection pools, the catalog and policy caches.
    await client.run({ mode: 'sequential', count: 20, body: body('payments', 'single') });

    cpu.start();
    const sequential = await client.run<LaunchResult[]>({ mode: 'sequential', count: SEQUENTIAL, body: body('payments', 'single') });
    const sequentialCpu = cpu.stop() / SEQUENTIAL;
    const one = summarize(latencies(sequential, 'one at a time'));

    const kubectl = await kubectlCreate(backend.sim.kubeconfigPath, backend.sim.dir);
    const k = summarize(kubectl);

    cpu.start();
    const sustained = await client.run<LaunchResult[]>({
      mode: 'schedule',
      rate: RATE,
      durationMs: SECONDS * 1000,
      body: body('orders', 'steady'),
    });
    const sustainedCpu = cpu.stop() / sustained.length;
    const s = summarize(latencies(sustained, 'sustained'));
    const behind = summarize(sustained.map(r => r.sentAt - (r.dueAt ?? r.sentAt)));
    const answered = summarize(sustained.map(r => r.respondedAt - r.sentAt));

    // A spec-kit fan-out as agents:speckit:implement makes it: a fan-out session, then FAN_OUT task
    // sessions under it, each on its own branch, requested at once under a cap of FAN_OUT.
    const [parent] = await client.run<LaunchResult[]>({
      mode: 'burst',
      bodies: [body('ledger', 'fanout', { prompt: 'Implement 001-bench', kind: 'fanout' })],
      podWaitMs: 0,
      expectPods: 0,
    });
    const tasks = await client.run<LaunchResult[]>({
      mode: 'burst',
      bodies: Array.from({ length: FAN_OUT }, (_, i) =>
        body('ledger', 'fanout', {
          parentSessionId: parent.sessionId,
          origin: 'speckit',
          taskId: `T${i}`,
          workBranch: `specs/001-bench/T${i}-async`,
        }),
      ),
    });
    latencies(tasks, 'fan-out');
    const fanOutMs = Math.max(...tasks.map(r => r.podAt!)) - parent.sentAt;
    const children = (await backend.agents.sessions.getSession(parent.sessionId!))?.children?.total;
    if (children !== FAN_OUT) throw new Error(`The fan-out holds ${children} sessions, not ${FAN_OUT}`);

    // The same burst under a cap of CAP: only CAP pods may appear; the rest stay queued (no kubelet
    // runs here, so no slot ever frees).
    const capped = await client.run<LaunchResult[]>({
      mode: 'burst',
      bodies: Array.from({ length: FAN_OUT }, () => body('billing', 'capped')),
      podWaitMs: 10_000,
      expectPods: CAP,
      settleMs: 1000,
    });
    const cappedStarted = capped.filter(r => r.podAt !== undefined).length;
    if (cappedStarted !== CAP) throw new Error(`${cappedStarted} pods started under a cap of ${CAP}, not ${CAP}`);

    rows.push(
      figure(`sustained ${RATE}/s for ${SECONDS} s: POST → pod created, p50 (${sustained.length})`, s.p50, 'ms', { max: 20 }, sustainedCpu),
      figure(`sustained ${RATE}/s for ${SECONDS} s: POST → pod created, p99`, s.p99, 'ms', { max: 100 }, sustainedCpu),
      fact('sustained: POST answered (session written, launch queued), p50 / p99', `${answered.p50.toFixed(1)} ms / ${answered.p99.toFixed(1)} ms`),
      fact('sustained: arrivals behind schedule (load generator), max', `${behind.max.toFixed(1)} ms`),
      figure(`one at a time: POST → pod created, p50 (${SEQUENTIAL})`, one.p50, 'ms', undefined, sequentialCpu),
      fact('one at a time: POST → pod created, p99', `${one.p99.toFixed(2)} ms`),
      figure(`kubectl create -f of the same pod, p50 (${KUBECTL})`, k.p50, 'ms'),
      figure('kubectl create -f p50 ÷ one-at-a-time p50', k.p50 / one.p50, '×', { min: 5 }),
      figure(`fan-out: ${FAN_OUT} task sessions at once, cap ${FAN_OUT} → every pod created`, fanOutMs, 'ms', { max: 2000 }),
      fact(`fan-out: ${FAN_OUT} sessions at once, cap ${CAP} → pods started`, `${cappedStarted} of ${FAN_OUT}`),
    );
  } finally {
    await client.stop();
    await backend.stop();
  }
  return rows;
}

interface LaunchResult {
  sessionId?: string;
  status: number;
  error?: string;
  sentAt: number;
  respondedAt: number;
  dueAt?: number;
  podAt?: number;
}

/** Request sent → pod seen, per launch; any failed request or pod that never appeared fails the case. */
function latencies(results: LaunchResult[], what: string): number[] {
  const failed = results.find(r => r.error || r.podAt === undefined);
  if (failed) {
    const missing = results.filter(r => r.error || r.podAt === undefined).length;
    throw new Error(`${what}: ${missing} of ${results.length} launches failed or made no pod, e.g. ${failed.status} ${failed.error ?? 'no pod'}`);
  }
  return results.map(r => r.podAt! - r.sentAt);
}

/** `kubectl create -f` of the least pod the agents namespace admits, timed from spawn to exit. */
async function kubectlCreate(kubeconfigPath: string, dir: string): Promise<number[]> {
  const times: number[] = [];
  const podFile = path.join(dir, 'pod.json');
  for (let i = 0; i < KUBECTL; i++) {
    fs.writeFileSync(
      podFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `kubectl-bench-${i}`, namespace: 'agents' },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'harness',
              image: 'ghcr.io/backstage-agents/harness:bench',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      }),
    );
    const start = performance.now();
    await run('kubectl', ['--kubeconfig', kubeconfigPath, 'create', '-f', podFile]);
    times.push(performance.now() - start);
  }
  return times;
}
