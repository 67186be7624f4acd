import {
  AgentsDatabase,
  newSessionInput,
  RunLogFollower,
  SessionEventHub,
  SessionLogs,
  streamSessionLog,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { CoreV1Api } from '@kubernetes/client-node';
import express from 'express';
import { fork, type ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { cpuMeter } from '../cpu';
import { sqlite } from '../databases';
import { startSimProcess } from '../processes/simProcess';
import { silentLogger } from '../silentLogger';
import { summarize } from '../stats';
import type { Row } from '../table';
import { fact, figure } from '../target';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('BENCH_LOG_SECONDS', 10);
const VIEWER_PROCESSES = env('BENCH_LOG_VIEWER_PROCESSES', 8);
const SPEWER = path.join(__dirname, '..', 'fixtures', 'log-spewer.js');
const VIEWER = path.join(__dirname, '..', 'processes', 'logViewer.js');
/** At high rates viewers sample every 50th line's latency (parsing every line's stamp would load them). */
const sampleEvery = (rate: number) => (rate >= 1000 ? 50 : 1);
/** How long followers get to attach before the pods are told to start printing. */
const ATTACH_MS = 1000;
/** The limits of a log's targets. */
const TARGETS = { p99LatencyMs: 200, peakRssMb: 300 };

interface Scenario {
  title: string;
  pods: number;
  rate: number;
  viewersPerPod: number;
}

/**
 * Pods writing their log under kube-sim's process kubelet (its own process), each log followed
 * through the API server by one upstream stream, persisted and fanned out over SSE to viewers in
 * child processes (`bench/processes/logViewer.js`). This process is the backend: its CPU time and
 * peak RSS are the backend's. Every viewer checks it got every line once and in order.
 */
export async function logFanOutCase(): Promise<Row[]> {
  const scenarios: Scenario[] = [
    {
      title: 'one pod',
      pods: 1,
      rate: env('BENCH_LOG_RATE', 20000),
      viewersPerPod: env('BENCH_LOG_VIEWERS', 200),
    },
    {
      title: 'realistic',
      pods: env('BENCH_LOG_PODS', 50),
      rate: 20,
      viewersPerPod: 5,
    },
  ];
  const only = process.env.BENCH_LOG_SCENARIO;
  const rows: Row[] = [];
  for (const scenario of scenarios) {
    if (only && !scenario.title.startsWith(only)) continue;
    rows.push(...(await runScenario(scenario)));
  }
  return rows;
}

interface ViewerReport {
  counts: number[];
  inOrder: boolean[];
  latencies: number[];
  cpuMs: number;
}

async function runScenario(scenario: Scenario): Promise<Row[]> {
  const { pods, rate, viewersPerPod } = scenario;
  const sim = await startSimProcess({ images: { 'bench/log-spewer': [process.execPath, SPEWER] } });
  const core = sim.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'agents' } } });
  const db = await sqlite();
  const agents = await AgentsDatabase.create({ database: { getClient: async () => db.knex } });
  const hub = new SessionEventHub();
  const runs: Array<{ sessionId: string; runId: string; podName: string }> = [];
  for (let i = 0; i < pods; i++) {
    const { session } = await agents.sessions.createSession(
      newSessionInput({ entityRef: 'component:default/bench', prompt: 'bench' }),
    );
    await agents.transitions.transition(session.id, 'starting');
    await agents.transitions.transition(session.id, 'running');
    runs.push({ sessionId: session.id, runId: session.runs[0].id, podName: `spewer-${i}` });
  }

  // Reads of the log from the database by the streams (catching up), counted while the pods run.
  let catchUpReads = 0;
  let counting = false;
  const logChunks = {
    readLogLines: (...args: Parameters<typeof agents.logChunks.readLogLines>) => {
      if (counting) catchUpReads++;
      return agents.logChunks.readLogLines(...args);
    },
    readLogState: (sessionId: string) => agents.logChunks.readLogState(sessionId),
  };
  let connected = 0;
  const allConnected = deferred();
  const totalViewers = pods * viewersPerPod;
  const app = express().get('/sessions/:id/logs', (req, res) => {
    if (++connected === totalViewers) allConnected.resolve();
    return streamSessionLog(req, res, req.params.id, 0, {
      sessions: agents.sessions,
      logChunks,
      hub,
      logger: silentLogger,
      pollIntervalMs: 2000,
      heartbeatMs: 15000,
    });
  });
  const server = app.listen(0);
  const port = (server.address() as AddressInfo).port;

  // Every line of the log, the result line included.
  const expected = rate * SECONDS + 1;
  const streams = runs.flatMap(run =>
    Array.from({ length: viewersPerPod }, () => ({ path: `/sessions/${run.sessionId}/logs`, expected })),
  );
  const processes = Math.min(VIEWER_PROCESSES, streams.length);
  const viewers: Array<{ child: ChildProcess; report: Promise<ViewerReport | undefined> }> = [];
  for (let p = 0; p < processes; p++) {
    const child = fork(VIEWER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const report = new Promise<ViewerReport | undefined>(resolve => {
      child.once('message', message => resolve(message as ViewerReport));
      // A viewer exits as soon as its report is sent, and the parent may hear of the exit before it
      // has read the report (a large one): a viewer counts as reportless only if none arrives soon after.
      child.once('exit', () => setTimeout(() => resolve(undefined), 5000));
    });
    child.send({ port, streams: streams.filter((_, i) => i % processes === p), sampleEvery: sampleEvery(rate) });
    viewers.push({ child, report });
  }
  await allConnected.promise;

  // The pods print once this file exists: when every pod runs and its log is followed, so that the
  // figures are the log pipeline's, not those of pod start-up.
  const goFile = path.join(sim.dir, 'go');
  // The bench policy lets the pods' full rate through (the default caps a flood).
  const logLinesPerSecond = Math.max(rate * 2, 1000);
  await Promise.all(
    runs.map(async run => {
      await core.createNamespacedPod({
        namespace: 'agents',
        body: {
          metadata: { name: run.podName, namespace: 'agents' },
          spec: {
            restartPolicy: 'Never',
            containers: [
              {
                name: 'harness',
                image: 'bench/log-spewer',
                env: [
                  { name: 'BENCH_LOG_RATE', value: String(rate) },
                  { name: 'BENCH_LOG_SECONDS', value: String(SECONDS) },
                  { name: 'BENCH_LOG_GO_FILE', value: goFile },
                ],
              },
            ],
          },
        },
      });
      await waitForPodRunning(core, run.podName);
    }),
  );

  const cpu = cpuMeter();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const simCpuBefore = processCpuMs(sim.child.pid);
  cpu.start();
  counting = true;
  const started = performance.now();
  // Where the latency arises: lines as the backend announces them, persisted, before any viewer.
  const publishLatencies: number[] = [];
  const unsubscribe = runs.map(run =>
    hub.subscribe(run.sessionId, event => {
      if (event.type !== 'lines') return;
      const now = Date.now();
      for (let i = 0; i < event.lines.length; i += sampleEvery(rate)) {
        const sent = / sent (\d+)/.exec(event.lines[i].line);
        if (sent) publishLatencies.push(now - Number(sent[1]));
      }
    }),
  );
  const follower = new RunLogFollower({
    kubeConfig: sim.kubeConfig,
    namespace: 'agents',
    logChunks: agents.logChunks,
    transitions: agents.transitions,
    logs: new SessionLogs(agents.logChunks, hub),
    logger: silentLogger,
  });
  const following = Promise.all(
    runs.map(run =>
      follower.follow({ ...run, policy: { name: 'bench', logLinesPerSecond } }, new AbortController().signal),
    ),
  );
  await new Promise(resolve => setTimeout(resolve, ATTACH_MS));
  fs.writeFileSync(goFile, '');
  await following;
  // Viewers that never get every line give up with what they have.
  let stopWaiting = () => {};
  const timeout = new Promise<undefined>(resolve => {
    const timer = setTimeout(resolve, 60_000 + SECONDS * 1000);
    stopWaiting = () => clearTimeout(timer);
  });
  const reports = await Promise.all(viewers.map(v => Promise.race([v.report, timeout])));
  stopWaiting();
  const elapsedS = (performance.now() - started) / 1000;
  const cpuMs = cpu.stop();
  counting = false;
  const simCpuMs = processCpuMs(sim.child.pid) - simCpuBefore;
  clearInterval(sampler);
  unsubscribe.forEach(stop => stop());

  for (const viewer of viewers) if (viewer.child.exitCode === null) viewer.child.kill();
  server.closeAllConnections();
  server.close();
  let persisted = 0;
  for (const run of runs) persisted += await agents.logChunks.countRunLogLines(run.runId);
  await sim.stop();
  await db.dispose();

  const counts = reports.flatMap(r => r?.counts ?? []);
  const inOrder = reports.flatMap(r => r?.inOrder ?? []);
  const latencies = reports.flatMap(r => r?.latencies ?? []);
  const complete = counts.filter((count, i) => count === expected && inOrder[i]).length;
  const delivered = counts.reduce((sum, n) => sum + n, 0);
  const l = latencies.length ? summarize(latencies) : { p50: NaN, p99: NaN, max: NaN };
  const linesWritten = pods * expected;
  const label = `${scenario.title} (${pods} × ${rate} lines/s × ${SECONDS} s, ${totalViewers} viewers)`;
  return [
    fact(`${label}: lines persisted`, `${persisted} of ${linesWritten}`),
    fact(
      `${label}: lines received by the viewers (${processes} processes)`,
      `${delivered} of ${totalViewers * expected}${inOrder.every(Boolean) ? '' : ', some out of order'}`,
    ),
    figure(`${label}: viewer streams with every line once, in order`, complete, 'streams', { min: totalViewers }),
    figure(`${label}: p99 latency of a line to its publication (persisted, before the viewers)`, publishLatencies.length ? summarize(publishLatencies).p99 : NaN, 'ms'),
    figure(`${label}: p50 line latency`, l.p50, 'ms'),
    figure(
      `${label}: p99 line latency (${latencies.length} sampled)`,
      l.p99,
      'ms',
      { max: TARGETS.p99LatencyMs },
    ),
    figure(`${label}: backend peak RSS`, peakRss / 2 ** 20, 'MB', { max: TARGETS.peakRssMb }),
    figure(`${label}: backend RSS growth (peak less RSS with every module loaded, before the pods start)`, (peakRss - rssBefore) / 2 ** 20, 'MB'),
    figure(`${label}: backend CPU per line (op = a line persisted and sent to all its viewers)`, cpuMs / linesWritten, 'ms', undefined, cpuMs / linesWritten),
    fact(`${label}: backend CPU`, `${Math.round(cpuMs)} ms over ${elapsedS.toFixed(1)} s`),
    fact(
      `${label}: CPU of the other processes`,
      `simulator (API server, kubelet) ${Number.isNaN(simCpuMs) ? 'unknown' : `${Math.round(simCpuMs)} ms`}, viewers ${Math.round(reports.reduce((sum, r) => sum + (r?.cpuMs ?? 0), 0))} ms`,
    ),
    fact(`${label}: log reads from the database by viewers catching up`, String(catchUpReads)),
  ];
}

/** A child's CPU time so far (user + system), from Linux's /proc; NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, fields 14 and 15 of the whole line, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>(r => (resolve = r));
  return { promise, resolve };
}

async function waitForPodRunning(core: CoreV1Api, name: string) {
  for (;;) {
    const pod = await core.readNamespacedPod({ name, namespace: 'agents' });
    if (pod.status?.phase && pod.status.phase !== 'Pending') return;
    await new Promise(r => setTimeout(r, 20));
  }
}
