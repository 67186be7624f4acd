import { ResponseError } from '@backstage/errors';
import { FakeAgentsApi, makeSession, runId } from '../testUtils';
import { AgentsClient } from './AgentsClient';
import type { AgentsLogStreamEvent } from './types';

const BASE = 'http://agents.test/api/agents';

/** A client of `fake` that also records the requests as sent. */
function clientOf(fake: FakeAgentsApi) {
  const sent: Request[] = [];
  const client = new AgentsClient({
    discoveryApi: fake.discoveryApi,
    fetchApi: {
      fetch: async (input, init) => {
        const request = new Request(input, init);
        sent.push(request.clone());
        return fake.fetch(request);
      },
    },
  });
  return { client, sent };
}

/** A client whose every request is answered with the given response. */
function answering(response: () => Response) {
  const requests: Request[] = [];
  const fetch = jest.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(new Request(input, init));
    return response();
  });
  const client = new AgentsClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch: fetch as typeof globalThis.fetch },
  });
  return { client, fetch, requests };
}

/** A streaming response that sends the given chunks, then ends. */
function eventStream(chunks: Array<string | Uint8Array>) {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        chunks.forEach(c =>
          controller.enqueue(typeof c === 'string' ? encoder.encode(c) : c),
        );
        controller.close();
      },
    }),
    { status: 200, headers: { 'Content-Type': 'text/event-stream' } },
  );
}

const ID = makeSession(1).id;

describe('AgentsClient', () => {
  it('lists sessions with the query it is given, encoded, and without empty filters', async () => {
    const fake = new FakeAgentsApi(3);
    const { client, sent } = clientOf(fake);
    const page = await client.listSessions({
      entityRef: 'component:default/payments-service',
      status: 'running,starting',
      createdBy: '',
      limit: 20,
    });
    expect(page.items.map(s => s.id)).toEqual([makeSession(2).id]);
    expect(sent[0].url).toBe(
      `${BASE}/sessions?entityRef=component%3Adefault%2Fpayments-service&status=running%2Cstarting&limit=20`,
    );
    expect(fake.requestsOf('ListSessions')[0].query).toEqual({
      entityRef: 'component:default/payments-service',
      status: 'running,starting',
      limit: 20,
    });
    expect(fake.violations).toEqual([]);
  });

  it('follows the cursor of a page to the next', async () => {
    const fake = new FakeAgentsApi(5);
    const { client } = clientOf(fake);
    const first = await client.listSessions({ limit: 2 });
    const second = await client.listSessions({
      limit: 2,
      cursor: first.nextCursor,
    });
    expect(
      [...first.items, ...second.items].map(s => s.prompt.split('\n')[0]),
    ).toEqual([
      'Task number 5',
      'Task number 4',
      'Task number 3',
      'Task number 2',
    ]);
  });

  it('posts a new session as JSON, with the token a backend caller gives', async () => {
    const fake = new FakeAgentsApi(0);
    const { client, sent } = clientOf(fake);
    const session = await client.createSession(
      { entityRef: 'component:default/a', prompt: 'Do it', harness: 'demo' },
      { token: 'service-token' },
    );
    expect(session).toMatchObject({
      entityRef: 'component:default/a',
      prompt: 'Do it',
      status: 'pending',
    });
    const [request] = sent;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`${BASE}/sessions`);
    expect(request.headers.get('content-type')).toBe('application/json');
    expect(request.headers.get('authorization')).toBe('Bearer service-token');
    expect(await request.json()).toEqual({
      entityRef: 'component:default/a',
      prompt: 'Do it',
      harness: 'demo',
    });
  });

  it('sends no Authorization of its own when given no token: fetchApi adds the user’s', async () => {
    const fake = new FakeAgentsApi(1);
    const { client, sent } = clientOf(fake);
    await client.getSession(ID);
    expect(sent[0].headers.has('authorization')).toBe(false);
  });

  it('cancels, resumes and reads launch options', async () => {
    const fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
    const { client, sent } = clientOf(fake);
    expect((await client.cancelSession(ID)).status).toBe('cancelled');
    const resumed = await client.resumeSession(ID, 'More');
    expect(resumed.status).toBe('pending');
    expect(resumed.runs.map(r => [r.kind, r.prompt])).toEqual([
      ['initial', 'Task number 1'],
      ['resume', 'More'],
    ]);
    const options = await client.getLaunchOptions('component:default/a', {
      templateRef: 'template:default/t',
    });
    expect(options.canCreate).toBe(true);
    expect(
      await Promise.all(sent.map(async r => [r.method, r.url, await r.text()])),
    ).toEqual([
      ['POST', `${BASE}/sessions/${ID}/cancel`, ''],
      ['POST', `${BASE}/sessions/${ID}/resume`, '{"prompt":"More"}'],
      [
        'GET',
        `${BASE}/launch-options?entityRef=component%3Adefault%2Fa&templateRef=template%3Adefault%2Ft`,
        '',
      ],
    ]);
  });

  it('encodes path parameters', async () => {
    const { client, requests } = answering(() =>
      Response.json(
        { error: { name: 'NotFoundError', message: 'no' } },
        { status: 404 },
      ),
    );
    await expect(client.cancelSession('s/1')).rejects.toBeInstanceOf(
      ResponseError,
    );
    expect(requests[0].url).toBe(
      `${BASE}/sessions/s%2F1/cancel`,
    );
  });

  it("rejects with a ResponseError that carries the server's message", async () => {
    const fake = new FakeAgentsApi(0);
    fake.fail('CreateSession', 400, 'InputError', 'Prompt must not be blank');
    const { client } = clientOf(fake);
    const error = await client
      .createSession({ entityRef: 'component:default/a', prompt: ' ' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.body.error).toEqual({
      name: 'InputError',
      message: 'Prompt must not be blank',
    });
  });

  describe('streamLogs', () => {
    it('reads log, status and end events from the Server-Sent Events stream', async () => {
      const frames = [
        'retry: 2000\n\n',
        'id: 6\nevent: log\ndata: {"seq":6,"runId":"r1","timestamp":"t","line":"hello"}\n\n',
        'id: 7\nevent: log\ndata: {"seq":7,"runId":"r1","timestamp":"t","line":"wor',
        'ld"}\n\n: keep-alive\n\nevent: status\ndata: {"status":"succeeded"}\n\n',
        'event: unknown\ndata: {}\n\nevent: end\ndata: {"status":"succeeded","lastSeq":7}\n\n',
      ];
      const { client, requests } = answering(() => eventStream(frames));
      const events: AgentsLogStreamEvent[] = [];
      const onOpen = jest.fn();
      await client.streamLogs('s1', {
        after: 5,
        onOpen,
        onEvent: e => events.push(e),
      });
      const request = requests[0];
      expect(request.url).toBe(`${BASE}/sessions/s1/logs?after=5`);
      expect(request.headers.get('accept')).toBe('text/event-stream');
      expect(onOpen).toHaveBeenCalledTimes(1);
      expect(events).toEqual([
        {
          type: 'log',
          line: { seq: 6, runId: 'r1', timestamp: 't', line: 'hello' },
        },
        {
          type: 'log',
          line: { seq: 7, runId: 'r1', timestamp: 't', line: 'world' },
        },
        { type: 'status', status: 'succeeded' },
        { type: 'end', status: 'succeeded', lastSeq: 7 },
      ]);
    });

    it('reads events split anywhere across chunks, inside a CRLF or a UTF-8 character too', async () => {
      const bytes = new TextEncoder().encode(
        'id: 7\r\nevent: log\r\ndata: {"seq":7,"runId":"r","timestamp":"t","line":"é"}\r\n\r\nevent: status\rdata: {"status":"failed"}\r\r',
      );
      const expected = [
        {
          type: 'log',
          line: { seq: 7, runId: 'r', timestamp: 't', line: 'é' },
        },
        { type: 'status', status: 'failed' },
      ];
      for (let i = 0; i <= bytes.length; i++) {
        const { client } = answering(() =>
          eventStream([bytes.slice(0, i), bytes.slice(i)]),
        );
        const events: AgentsLogStreamEvent[] = [];
        await client.streamLogs('s1', {
          after: 0,
          onEvent: e => events.push(e),
        });
        expect(events).toEqual(expected);
      }
    });

    it('drops a message the stream ends before its blank line', async () => {
      const { client } = answering(() =>
        eventStream(['event: status\ndata: {"status":"failed"}\n']),
      );
      const onEvent = jest.fn();
      await client.streamLogs('s1', { after: 0, onEvent });
      expect(onEvent).not.toHaveBeenCalled();
    });

    it('rejects with a ResponseError when the server refuses the stream', async () => {
      const fake = new FakeAgentsApi(1);
      fake.onStream = stream =>
        stream.refuse(404, 'NotFoundError', 'No such session');
      await expect(
        clientOf(fake).client.streamLogs(ID, { after: 0, onEvent: () => {} }),
      ).rejects.toMatchObject({
        statusCode: 404,
        body: { error: { message: 'No such session' } },
      });
    });

    it('resolves quietly when aborted, before or after the server answered', async () => {
      const fake = new FakeAgentsApi(1);
      const { client } = clientOf(fake);
      for (const openFirst of [false, true]) {
        const controller = new AbortController();
        fake.onStream = stream => (openFirst ? stream.open() : undefined);
        const done = client.streamLogs(ID, {
          after: 0,
          signal: controller.signal,
          onEvent: () => {},
        });
        await new Promise(r => setTimeout(r, 10));
        controller.abort();
        await expect(done).resolves.toBeUndefined();
      }
      await new Promise(r => setTimeout(r, 10));
      expect(fake.streams[1].closed).toBe(true);
    });
  });

  describe('followLogs', () => {
    const retry = { retryDelayMs: 1 };

    it('continues after a dropped connection from the last line received, with no gap and no duplicate', async () => {
      const fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        stream.open();
        if (fake.streams.length === 1) {
          stream.lines(1, 3);
          stream.close();
        } else {
          // A server that replays from a little earlier: the overlap is dropped.
          stream.lines(2, 5, runId(1));
          stream.end('succeeded');
        }
      };
      const events: AgentsLogStreamEvent[] = [];
      for await (const event of clientOf(fake).client.followLogs(ID, retry))
        events.push(event);
      expect(fake.streams.map(s => s.after)).toEqual([0, 3]);
      expect(events.map(e => (e.type === 'log' ? e.line.seq : e.type))).toEqual(
        [1, 2, 3, 4, 5, 'status', 'end'],
      );
    });

    it('starts after the cursor it is given and reconnects after a failure of the server', async () => {
      const fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        if (fake.streams.length === 1) {
          stream.refuse(503, 'ServiceUnavailableError', 'Restarting');
          return;
        }
        stream.open();
        stream.lines(stream.after + 1, stream.after + 1);
        stream.end('failed');
      };
      const seqs: number[] = [];
      for await (const event of clientOf(fake).client.followLogs(ID, {
        ...retry,
        after: 41,
      })) {
        if (event.type === 'log') seqs.push(event.line.seq);
      }
      expect(fake.streams.map(s => s.after)).toEqual([41, 41]);
      expect(seqs).toEqual([42]);
    });

    it('gives up on a refusal that reconnecting will not change', async () => {
      const fake = new FakeAgentsApi(1);
      fake.onStream = stream =>
        stream.refuse(403, 'NotAllowedError', 'You may not read this session');
      const follow = async () => {
        for await (const _ of clientOf(fake).client.followLogs(ID, retry)) {
          // nothing arrives
        }
      };
      await expect(follow()).rejects.toMatchObject({ statusCode: 403 });
      expect(fake.streams).toHaveLength(1);
    });

    it('ends quietly when aborted', async () => {
      const fake = new FakeAgentsApi(1);
      const controller = new AbortController();
      fake.onStream = stream => {
        stream.open();
        stream.lines(1, 1);
      };
      const seqs: number[] = [];
      for await (const event of clientOf(fake).client.followLogs(ID, {
        signal: controller.signal,
      })) {
        if (event.type === 'log') seqs.push(event.line.seq);
        controller.abort();
      }
      expect(seqs).toEqual([1]);
    });
  });
});
