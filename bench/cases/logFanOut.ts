import {
  AgentsDatabase,
  newSessionInput,
  RunLogFollower,
  SessionEventHub,
  SessionLogs,
  streamSessionLog,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { startKubeSim, startProcessKubelet } from '@backstage-agents/kube-sim';
import { CoreV1Api } from '@kubernetes/client-node';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { sqlite } from '../databases';
import { silentLogger } from '../silentLogger';
import { fmt, summarize } from '../stats';
import type { Row } from '../table';

const RATE = Number(process.env.BENCH_LOG_RATE ?? 20000);
const SECONDS = Number(process.env.BENCH_LOG_SECONDS ?? 3);
const VIEWERS = Number(process.env.BENCH_LOG_VIEWERS ?? 200);

/**
 * One pod writing RATE lines/s under the process kubelet, its log followed through the API server by
 * one upstream stream, persisted, and fanned out over SSE to VIEWERS viewers.
 */
export async function logFanOutCase(): Promise<Row[]> {
  const sim = await startKubeSim();
  const core = sim.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'agents' } } });
  const kubelet = await startProcessKubelet({
    kubeConfig: sim.kubeConfig,
    images: { 'bench/log-spewer': [process.execPath, path.join(__dirname, '..', 'fixtures', 'log-spewer.js')] },
    hostEnv: { PATH: process.env.PATH ?? '', BENCH_LOG_RATE: String(RATE), BENCH_LOG_SECONDS: String(SECONDS) },
  });
  const db = await sqlite();
  const agents = await AgentsDatabase.create({ database: { getClient: async () => db.knex } });
  const hub = new SessionEventHub();
  const { session } = await agents.sessions.createSession(
    newSessionInput({ entityRef: 'component:default/bench', prompt: 'bench' }),
  );
  await agents.transitions.transition(session.id, 'starting');
  await agents.transitions.transition(session.id, 'running');

  const app = express().get('/logs', (req, res) =>
    streamSessionLog(req, res, session.id, 0, {
      sessions: agents.sessions,
      logChunks: agents.logChunks,
      hub,
      logger: silentLogger,
      pollIntervalMs: 2000,
      heartbeatMs: 15000,
    }),
  );
  const server = app.listen(0);
  const port = (server.address() as AddressInfo).port;

  const expected = RATE * SECONDS + 1;
  const latencies: number[] = [];
  const received: number[] = [];
  const viewers = Array.from({ length: VIEWERS }, (_, v) =>
    new Promise<void>(resolve => {
      let count = 0;
      let buffer = '';
      const req = http.get({ port, path: '/logs', agent: false }, res => {
        res.setEncoding('utf8');
        res.on('data', chunk => {
          buffer += chunk;
          let index;
          while ((index = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            if (!block.includes('event: log')) continue;
            count++;
            // Sampled latency: every viewer's every 100th line (parsing every line would dominate).
            if (count % 100 === v % 100) {
              const match = / sent (\d+)/.exec(block);
              if (match) latencies.push(Date.now() - Number(match[1]));
            }
            if (count === expected) {
              received.push(count);
              req.destroy();
              resolve();
            }
          }
        });
        res.on('close', () => {
          if (count !== expected) received.push(count);
          resolve();
        });
      });
    }),
  );

  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const started = performance.now();
  await core.createNamespacedPod({
    namespace: 'agents',
    body: {
      metadata: { name: 'spewer', namespace: 'agents' },
      spec: { restartPolicy: 'Never', containers: [{ name: 'harness', image: 'bench/log-spewer' }] },
    },
  });
  await waitForPodRunning(core);
  const follower = new RunLogFollower({
    kubeConfig: sim.kubeConfig,
    namespace: 'agents',
    logChunks: agents.logChunks,
    transitions: agents.transitions,
    logs: new SessionLogs(agents.logChunks, hub),
    logger: silentLogger,
  });
  await follower.follow({ sessionId: session.id, runId: session.runs[0].id, podName: 'spewer' }, new AbortController().signal);
  const persisted = await agents.logChunks.countRunLogLines(session.runs[0].id);
  await Promise.race([Promise.all(viewers), new Promise(r => setTimeout(r, 30_000))]);
  const elapsed = (performance.now() - started) / 1000;
  clearInterval(sampler);

  server.closeAllConnections();
  server.close();
  await kubelet.stop();
  await sim.stop();
  await db.dispose();

  const l = summarize(latencies);
  const complete = received.filter(n => n === expected).length;
  return [
    {
      pod: `${RATE} lines/s × ${SECONDS} s`,
      viewers: VIEWERS,
      'lines persisted': `${persisted}/${expected}`,
      'viewers with every line': `${complete}/${VIEWERS}`,
      'p50 ms': fmt(l.p50),
      'p99 ms': fmt(l.p99),
      'lines/s delivered': Math.round((complete * expected) / elapsed),
      'peak RSS MB': Math.round(peakRss / 2 ** 20),
    },
  ];
}

async function waitForPodRunning(core: CoreV1Api) {
  for (;;) {
    const pod = await core.readNamespacedPod({ name: 'spewer', namespace: 'agents' });
    if (pod.status?.phase && pod.status.phase !== 'Pending') return;
    await new Promise(r => setTimeout(r, 20));
  }
}
