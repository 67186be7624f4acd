import {
  AgentsClient,
  type AgentsLogStreamEvent,
} from '@backstage-agents/plugin-agents-common';
import { mockCredentials, type TestDatabaseId } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import type { Knex } from 'knex';
import { LogChunkStore } from '../database/LogChunkStore';
import { JANE, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

/**
 * Passes a log stream through until a chunk with a log line went by, then drops the connection, as a
 * proxy timing out would. Says which seqs got through.
 */
function dropAfterFirstLines(response: Response, delivered: number[]): Response {
  const upstream = response.body!.getReader();
  let dropping = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (dropping) {
        await upstream.cancel();
        controller.close();
        return;
      }
      const { done, value } = await upstream.read();
      if (done) {
        controller.close();
        return;
      }
      const text = new TextDecoder().decode(value);
      delivered.push(...[...text.matchAll(/^id: (\d+)$/gm)].map(m => Number(m[1])));
      dropping = text.includes('event: log');
      controller.enqueue(value);
    },
    cancel: () => upstream.cancel(),
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/**
 * The shared client of `@backstage-agents/plugin-agents-common` against the real agents backend
 * (router, validation, service, database), as a backend plugin or the CLI calls it: with a token.
 */
describe.each(databases.eachSupportedId())('the shared AgentsClient against the agents backend on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startBackend>>['server'];
  let client: AgentsClient;
  /** The log stream requests sent, by their cursor. */
  let logCursors: number[];
  /** Seqs the first log stream let through before it was dropped; undefined: drop nothing. */
  let dropFirstStream: number[] | undefined;
  const token = mockCredentials.user.token(JANE);

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ server } = await startBackend(knex));
    client = new AgentsClient({
      discoveryApi: { getBaseUrl: async pluginId => `http://localhost:${server.port()}/api/${pluginId}` },
      fetchApi: {
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const url = new URL(request.url);
          if (!url.pathname.endsWith('/logs')) return fetch(request);
          logCursors.push(Number(url.searchParams.get('after')));
          const response = await fetch(request);
          return logCursors.length === 1 && dropFirstStream
            ? dropAfterFirstLines(response, dropFirstStream)
            : response;
        },
      },
    });
  });

  beforeEach(() => {
    logCursors = [];
    dropFirstStream = undefined;
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  afterAll(async () => {
    await server.stop();
  });

  it('creates, reads, lists, cancels and resumes a session', async () => {
    const created = await client.createSession(
      { entityRef: 'payments', prompt: 'Add refunds' },
      { token },
    );
    expect(created).toMatchObject({
      entityRef: 'component:default/payments',
      repoUrl: 'https://github.com/example-org/payments',
      baseBranch: 'develop',
      status: 'pending',
      createdBy: JANE,
      runs: [expect.objectContaining({ attempt: 1, kind: 'initial', phase: 'pending' })],
    });
    expect(await client.getSession(created.id, { token })).toEqual(created);

    await client.createSession({ entityRef: 'component:default/storefront', prompt: 'Fix the cart' }, { token });
    const page = await client.listSessions({ entityRef: 'component:default/payments', createdBy: 'me' }, { token });
    expect(page.items.map(s => s.id)).toEqual([created.id]);
    const { runs: _runs, ...listed } = created;
    expect(page.items[0]).toMatchObject(listed);

    const cancelled = await client.cancelSession(created.id, { token });
    expect(cancelled.status).toBe('cancelled');
    const resumed = await client.resumeSession(created.id, 'Also add tests', { token });
    expect(resumed.status).toBe('pending');
    expect(resumed.runs.map(r => [r.kind, r.prompt])).toEqual([
      ['initial', 'Add refunds'],
      ['resume', 'Also add tests'],
    ]);
  });

  it('pages with the cursor the backend gives', async () => {
    for (const prompt of ['one', 'two', 'three']) {
      await client.createSession({ entityRef: 'component:default/payments', prompt }, { token });
    }
    const first = await client.listSessions({ limit: 2 }, { token });
    const second = await client.listSessions({ limit: 2, cursor: first.nextCursor }, { token });
    expect([...first.items, ...second.items].map(s => s.prompt)).toEqual(['three', 'two', 'one']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('reads the launch options of an entity, under the policy of a template', async () => {
    expect(await client.getLaunchOptions('component:default/payments', { token })).toMatchObject({
      canCreate: true,
      policy: { name: 'default', allowedHarnesses: ['opencode', 'claude-code'] },
    });
    expect(
      await client.getLaunchOptions('component:default/payments', {
        token,
        templateRef: 'template:default/fix-issue',
      }),
    ).toMatchObject({ policy: { name: 'strict', allowedHarnesses: ['opencode'] } });
  });

  it("rejects with a ResponseError that carries the backend's error", async () => {
    const denied = await client
      .createSession(
        {
          entityRef: 'component:default/storefront',
          prompt: 'Fix the issue',
          harness: 'claude-code',
          templateRef: 'template:default/fix-issue',
        },
        { token },
      )
      .catch(e => e);
    expect(denied).toBeInstanceOf(ResponseError);
    expect(denied.statusCode).toBe(403);
    expect(denied.body.error.message).toBe("Policy 'strict' does not allow harness claude-code; allowed: opencode");

    const missing = await client.getSession('00000000-0000-4000-8000-000000000000', { token }).catch(e => e);
    expect(missing).toMatchObject({ statusCode: 404, body: { error: { name: 'NotFoundError' } } });
  });

  it('follows a log across a dropped connection, with no gap and no duplicate, to the end of the session', async () => {
    const session = await client.createSession({ entityRef: 'component:default/payments', prompt: 'Work' }, { token });
    const logChunks = new LogChunkStore(knex);
    const append = (...lines: string[]) =>
      logChunks.appendLogLines(
        session.id,
        session.runs[0].id,
        lines.map(line => ({ timestamp: new Date().toISOString(), line })),
      );
    await append('one', 'two', 'three');
    dropFirstStream = [];

    const events: AgentsLogStreamEvent[] = [];
    for await (const event of client.followLogs(session.id, { token, retryDelayMs: 10 })) {
      events.push(event);
      if (event.type !== 'log') continue;
      // Written while the first connection is dropped, or after the second one opened.
      if (event.line.seq === 3) await append('four', 'five');
      if (event.line.seq === 5) await client.cancelSession(session.id, { token });
    }

    const lines = events.flatMap(e => (e.type === 'log' ? [e.line] : []));
    expect(lines.map(l => [l.seq, l.line])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
      [4, 'four'],
      [5, 'five'],
    ]);
    expect(lines.every(l => l.runId === session.runs[0].id)).toBe(true);
    // The second connection went on from the last line the first one delivered.
    expect(dropFirstStream.length).toBeGreaterThan(0);
    expect(logCursors.slice(0, 2)).toEqual([0, Math.max(...dropFirstStream)]);
    expect(events.slice(-2)).toEqual([
      { type: 'status', status: 'cancelled' },
      { type: 'end', status: 'cancelled', lastSeq: 5 },
    ]);
  });

  it('reads one connection with streamLogs, from a cursor', async () => {
    const session = await client.createSession({ entityRef: 'component:default/payments', prompt: 'Work' }, { token });
    await new LogChunkStore(knex).appendLogLines(
      session.id,
      session.runs[0].id,
      ['a', 'b', 'c'].map(line => ({ timestamp: new Date().toISOString(), line })),
    );
    await client.cancelSession(session.id, { token });
    const events: AgentsLogStreamEvent[] = [];
    const onOpen = jest.fn();
    await client.streamLogs(session.id, { after: 1, token, onOpen, onEvent: e => events.push(e) });
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(events.map(e => (e.type === 'log' ? e.line.line : e.type))).toEqual(['b', 'c', 'status', 'end']);
  });
});
