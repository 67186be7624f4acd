import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import path from 'node:path';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { SessionEventHub } from '../events/SessionEventHub';
import { SessionLogs } from '../logs/SessionLogs';
import { startSimulatedCluster, waitFor, type SimulatedCluster } from '../__testUtils__/simulatedCluster';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { RunLogFollower } from './RunLogFollower';

jest.setTimeout(60_000);

const FLOOD = 5000;
const LIMIT = 100;
const NOTICE = /^\[agents\] log capped by policy "tight": ([\d,]+) lines? dropped \(limit 100 lines\/s\)$/;

describe('RunLogFollower under a policy log limit', () => {
  const databases = createTestDatabases();
  let cluster: SimulatedCluster;
  let knex: Knex;
  let db: AgentsDatabase;

  beforeAll(async () => {
    cluster = await startSimulatedCluster({
      images: { 'flood:test': [process.execPath, path.join(__dirname, '__fixtures__', 'log-flood.js')] },
    });
    knex = await databases.init('SQLITE_3');
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** Runs a pod that prints FLOOD lines at once and a result line, until it has ended. */
  async function runFloodPod(name: string) {
    await cluster.core.createNamespacedPod({
      namespace: 'agents',
      body: {
        metadata: { name, namespace: 'agents' },
        spec: {
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'harness',
              image: 'flood:test',
              env: [{ name: 'FLOOD_LINES', value: String(FLOOD) }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    });
    await waitFor('the flood to end', async () => {
      const pod = await cluster.core.readNamespacedPod({ name, namespace: 'agents' });
      return pod.status?.phase === 'Succeeded' ? true : undefined;
    });
  }

  it('persists at most the limit of a flood, says once per window how many lines it dropped, and resumes after them', async () => {
    const { session } = await db.sessions.createSession(newSessionInput());
    const runId = session.runs[0].id;
    await runFloodPod('flood');
    const follower = new RunLogFollower({
      kubeConfig: cluster.sim.kubeConfig,
      namespace: 'agents',
      logChunks: db.logChunks,
      transitions: db.transitions,
      logs: new SessionLogs(db.logChunks, new SessionEventHub()),
      logger: mockServices.logger.mock(),
    });
    const run = { sessionId: session.id, runId, podName: 'flood', policy: { name: 'tight', logLinesPerSecond: LIMIT } };
    await follower.follow(run, new AbortController().signal, { follow: false });

    const { lines } = await db.logChunks.readLogLines(session.id, 0, 100_000);
    const kept = lines.filter(l => l.line.startsWith('flood '));
    const notices = lines.filter(l => NOTICE.test(l.line));
    // The flood is printed at once: its lines' timestamps fall in one 10-second window, or two.
    const windows = new Set(kept.map(l => l.timestamp.slice(0, 18))).size;
    expect(kept.length).toBeGreaterThanOrEqual(LIMIT * 10);
    expect(kept.length).toBeLessThanOrEqual(LIMIT * 10 * windows);
    expect(notices.length).toBeGreaterThanOrEqual(1);
    expect(notices.length).toBeLessThanOrEqual(windows);
    const dropped = notices.reduce((sum, l) => sum + Number(NOTICE.exec(l.line)![1].replace(/,/g, '')), 0);
    expect(kept.length + dropped).toBe(FLOOD);
    // The lines kept are the first of each window, in order; the result line is never dropped.
    expect(kept.slice(0, LIMIT * 10).map(l => l.line)).toEqual(
      Array.from({ length: LIMIT * 10 }, (_, i) => `flood ${i + 1}`),
    );
    expect(lines.filter(l => l.line.startsWith('AGENTS_RESULT '))).toHaveLength(1);
    expect(lines).toHaveLength(kept.length + notices.length + 1);
    expect((await db.sessions.getRun(runId))?.result?.status).toBe('succeeded');

    // Read again, as after a restart: the dropped lines count as read, so nothing is added.
    expect(await db.logChunks.countRunLogLines(runId)).toBe(FLOOD + 1);
    await follower.follow(run, new AbortController().signal, { follow: false });
    expect((await db.logChunks.readLogLines(session.id, 0, 100_000)).lines).toHaveLength(lines.length);
  });

  it('writes what arrived meanwhile in one chunk when the database is slow, rather than falling behind', async () => {
    const { session } = await db.sessions.createSession(newSessionInput());
    const runId = session.runs[0].id;
    await runFloodPod('flood-slow-db');
    const logs = new SessionLogs(db.logChunks, new SessionEventHub());
    const append = logs.append.bind(logs);
    let appends = 0;
    // Each write takes 200 ms: at a fixed 500 lines a write, 5,001 lines would take 11 of them.
    jest.spyOn(logs, 'append').mockImplementation(async (...args) => {
      appends++;
      await new Promise(resolve => setTimeout(resolve, 200));
      return append(...args);
    });
    const follower = new RunLogFollower({
      kubeConfig: cluster.sim.kubeConfig,
      namespace: 'agents',
      logChunks: db.logChunks,
      transitions: db.transitions,
      logs,
      logger: mockServices.logger.mock(),
    });
    const run = { sessionId: session.id, runId, podName: 'flood-slow-db', policy: { name: 'open', logLinesPerSecond: 1_000_000 } };
    await follower.follow(run, new AbortController().signal, { follow: false });

    const { lines } = await db.logChunks.readLogLines(session.id, 0, 100_000);
    expect(lines.map(l => l.line)).toEqual([
      ...Array.from({ length: FLOOD }, (_, i) => `flood ${i + 1}`),
      expect.stringMatching(/^AGENTS_RESULT /),
    ]);
    expect(lines.map(l => l.seq)).toEqual(Array.from({ length: FLOOD + 1 }, (_, i) => i + 1));
    expect(appends).toBeLessThanOrEqual(4);
  });
});
