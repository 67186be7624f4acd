import {
  mockCredentials,
  mockServices,
  type TestDatabaseId,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { SessionEventHub } from '../events/SessionEventHub';
import { SessionLogs } from '../logs/SessionLogs';
import { SessionAuthorizer } from '../permissions/SessionAuthorizer';
import { SessionService } from '../service/SessionService';
import { createRouter } from './createRouter';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ts = '2026-11-21T10:00:00.000Z';
const lines = (...texts: string[]) => texts.map(line => ({ timestamp: ts, line }));

type SseEvent = { event: string; id?: string; data: any };

/** A minimal EventSource: collects parsed events until `done` says stop or the server ends. */
function readEvents(
  url: string,
  headers: Record<string, string>,
  done: (events: SseEvent[]) => boolean,
): Promise<{ events: SseEvent[]; status: number; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    // A fresh connection each time: a pooled keep-alive one may be closed by the server meanwhile.
    const req = http.get(url, { headers, agent: false }, res => {
      let buffer = '';
      res.setEncoding('utf8');
      const finish = (ended: boolean) => {
        req.destroy();
        resolve({ events, status: res.statusCode!, ended });
      };
      res.on('data', chunk => {
        buffer += chunk;
        for (let index = buffer.indexOf('\n\n'); index >= 0; index = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, index);
          buffer = buffer.slice(index + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            const m = /^([a-z]+): ?(.*)$/.exec(line);
            if (m) fields[m[1]] = m[2];
          }
          if (fields.event) {
            events.push({ event: fields.event, id: fields.id, data: JSON.parse(fields.data) });
          }
        }
        if (done(events)) finish(false);
      });
      res.on('end', () => finish(true));
    });
    req.on('error', reject);
  });
}

describe.each(databases.eachSupportedId())('session log stream on %p', (databaseId: TestDatabaseId) => {
  let db: AgentsDatabase;
  let hub: SessionEventHub;
  let logs: SessionLogs;
  let server: http.Server;
  let baseUrl: string;
  const auth = { Authorization: mockCredentials.user.header('user:default/jane') };

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    hub = new SessionEventHub();
    logs = new SessionLogs(db.logChunks, hub);
    const permissions = mockServices.permissions({ result: AuthorizeResult.ALLOW } as any);
    const sessions = new SessionService({
      store: db.sessions,
      transitions: db.transitions,
      catalog: catalogServiceMock(),
      policyResolver: { resolve: async () => { throw new Error('unused'); } },
      authorizer: new SessionAuthorizer(permissions, {
        getRuleByName: () => { throw new Error('unused'); },
      } as any),
      workBranchPrefix: 'agents/',
      repoUrlRewrites: [],
    });
    const router = await createRouter({
      sessions,
      db,
      hub,
      httpAuth: mockServices.httpAuth(),
      auditor: mockServices.auditor.mock(),
      logger: mockServices.logger.mock(),
      config: mockServices.rootConfig(),
      logPollIntervalMs: 100,
    });
    const app = express().use(router);
    server = app.listen(0);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  async function newSession() {
    const { session } = await db.sessions.createSession(newSessionInput({ prompt: 'Work' }));
    return { id: session.id, runId: session.runs[0].id };
  }

  const seqsOf = (events: SseEvent[]) =>
    events.filter(e => e.event === 'log').map(e => e.data.seq);

  it('replays persisted lines after the cursor, then streams live ones', async () => {
    const { id, runId } = await newSession();
    await logs.append(id, runId, lines('one', 'two', 'three'));
    const reading = readEvents(`${baseUrl}/sessions/${id}/logs?after=1`, auth, e => seqsOf(e).includes(5));
    await new Promise(r => setTimeout(r, 200));
    await logs.append(id, runId, lines('four'));
    await logs.append(id, runId, lines('five'));
    const { events, status } = await reading;
    expect(status).toBe(200);
    const logEvents = events.filter(e => e.event === 'log');
    expect(logEvents.map(e => [e.id, e.data.line])).toEqual([
      ['2', 'two'],
      ['3', 'three'],
      ['4', 'four'],
      ['5', 'five'],
    ]);
  });

  it('resumes from Last-Event-ID and fills gaps from the database', async () => {
    const { id, runId } = await newSession();
    await logs.append(id, runId, lines('a', 'b'));
    const reading = readEvents(
      `${baseUrl}/sessions/${id}/logs`,
      { ...auth, 'Last-Event-ID': '1' },
      e => seqsOf(e).includes(5),
    );
    await new Promise(r => setTimeout(r, 200));
    // Written without announcing (as another replica would), then one line announced ahead of them.
    await db.logChunks.appendLogLines(id, runId, lines('c', 'd'));
    await logs.append(id, runId, lines('e'));
    const { events } = await reading;
    expect(seqsOf(events)).toEqual([2, 3, 4, 5]);
    expect(events.filter(e => e.event === 'log').map(e => e.data.line)).toEqual(['b', 'c', 'd', 'e']);
  });

  it('ends the stream of a finished session once its log is drained', async () => {
    const { id, runId } = await newSession();
    await logs.append(id, runId, lines('x', 'y'));
    await db.transitions.transition(id, 'starting');
    await db.transitions.transition(id, 'running');
    await db.transitions.transition(id, 'succeeded');
    const { events, ended } = await readEvents(`${baseUrl}/sessions/${id}/logs`, auth, () => false);
    expect(ended).toBe(true);
    expect(events.map(e => e.event)).toEqual(['log', 'log', 'status', 'end']);
    expect(events[2].data).toEqual({ status: 'succeeded' });
    expect(events[3].data).toEqual({ status: 'succeeded', lastSeq: 2 });
  });

  /** One chunk per line, as a follower writes a slow agent's output (one flush every 50 ms). */
  async function appendOneByOne(id: string, runId: string, from: number, to: number) {
    for (let i = from; i <= to; i++) await db.logChunks.appendLogLines(id, runId, lines(`line ${i}`));
  }
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('replays every line of a finished session written one line per chunk', async () => {
    const { id, runId } = await newSession();
    await appendOneByOne(id, runId, 1, 2500);
    await db.transitions.transition(id, 'starting');
    await db.transitions.transition(id, 'running');
    await db.transitions.transition(id, 'succeeded');
    const { events, ended } = await readEvents(`${baseUrl}/sessions/${id}/logs?after=0`, auth, () => false);
    expect(ended).toBe(true);
    expect(seqsOf(events)).toEqual(range(1, 2500));
    expect(events[events.length - 1]).toMatchObject({ event: 'end', data: { lastSeq: 2500 } });
  });

  it('fills a gap of thousands of one-line chunks on a live stream', async () => {
    const { id, runId } = await newSession();
    await logs.append(id, runId, lines('line 1'));
    const reading = readEvents(`${baseUrl}/sessions/${id}/logs`, auth, e => seqsOf(e).includes(2502));
    await new Promise(r => setTimeout(r, 200));
    // Written without announcing (another replica's follower), then one line announced after them.
    await appendOneByOne(id, runId, 2, 2501);
    await logs.append(id, runId, lines('line 2502'));
    const { events } = await reading;
    expect(seqsOf(events)).toEqual(range(1, 2502));
  });

  it('catches up a live viewer that joined behind thousands of one-line chunks', async () => {
    const { id, runId } = await newSession();
    await appendOneByOne(id, runId, 1, 2200);
    const reading = readEvents(`${baseUrl}/sessions/${id}/logs?after=100`, auth, e => seqsOf(e).includes(2201));
    await new Promise(r => setTimeout(r, 200));
    await logs.append(id, runId, lines('line 2201'));
    const { events } = await reading;
    expect(seqsOf(events)).toEqual(range(101, 2201));
  });

  it('tells viewers about status changes live', async () => {
    const { id } = await newSession();
    const reading = readEvents(`${baseUrl}/sessions/${id}/logs`, auth, e => e.some(x => x.event === 'end'));
    await new Promise(r => setTimeout(r, 200));
    // Announced on this replica as soon as it is written…
    await db.transitions.transition(id, 'starting');
    hub.publishStatus({ id, status: 'starting', entityRef: 'component:default/payments' });
    // …or found by the poll when another replica wrote it.
    await db.transitions.transition(id, 'cancelled');
    const { events } = await reading;
    expect(events.map(e => `${e.event}:${e.data.status}`)).toEqual([
      'status:pending',
      'status:starting',
      'status:cancelled',
      'end:cancelled',
    ]);
  });

  it('refuses a malformed cursor', async () => {
    const { id } = await newSession();
    const res = await fetch(`${baseUrl}/sessions/${id}/logs?after=-3`, { headers: auth });
    expect(res.status).toBe(400);
    const other = await fetch(`${baseUrl}/sessions/${id}/logs`, { headers: { ...auth, 'Last-Event-ID': 'x' } });
    expect(other.status).toBe(400);
    expect((await other.json()).error.message).toContain("Malformed log cursor 'x'");
  });
});
