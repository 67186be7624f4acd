/**
 * @jest-environment node
 */
import { ResponseError } from '@backstage/errors';
import { AgentsClient } from './AgentsClient';
import type { AgentsLogStreamEvent } from './types';

const BASE = 'http://localhost:7007/api/agents';

function client(fetch: jest.Mock) {
  return new AgentsClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    fetchApi: { fetch },
  });
}

function json(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), {
    status,
    statusText: status === 200 ? 'OK' : 'Bad Request',
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A refusal in Backstage's error format, as the backend sends it. */
function errorResponse(name: string, message: string, status: number) {
  return json(
    { error: { name, message }, response: { statusCode: status } },
    status,
  );
}

/** A streaming response that sends the given chunks, then ends. */
function eventStream(chunks: string[]) {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream({
      start(controller) {
        chunks.forEach(c => controller.enqueue(encoder.encode(c)));
        controller.close();
      },
    }),
    { status: 200, headers: { 'Content-Type': 'text/event-stream' } },
  );
}

describe('AgentsClient', () => {
  it('lists sessions with the query it is given', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValue(json({ items: [], nextCursor: 'abc' }));
    const page = await client(fetch).listSessions({
      entityRef: 'component:default/payments-service',
      status: 'pending,running',
      createdBy: 'me',
      limit: 20,
      cursor: 'xyz',
    });
    expect(page).toEqual({ items: [], nextCursor: 'abc' });
    expect(fetch.mock.calls[0][0]).toBe(
      `${BASE}/sessions?entityRef=component%3Adefault%2Fpayments-service&status=pending%2Crunning&createdBy=me&limit=20&cursor=xyz`,
    );
  });

  it('posts a new session as JSON', async () => {
    const fetch = jest.fn().mockResolvedValue(json({ id: 's1' }, 201));
    await client(fetch).createSession({
      entityRef: 'component:default/a',
      prompt: 'Do it',
      harness: 'demo',
    });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(`${BASE}/sessions`);
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(init.body)).toEqual({
      entityRef: 'component:default/a',
      prompt: 'Do it',
      harness: 'demo',
    });
  });

  it('cancels, resumes and reads launch options', async () => {
    const fetch = jest.fn().mockImplementation(async () => json({}));
    const c = client(fetch);
    await c.cancelSession('s/1');
    await c.resumeSession('s1', 'More');
    await c.getLaunchOptions('component:default/a', {
      templateRef: 'template:default/t',
    });
    expect(
      fetch.mock.calls.map(call => [call[0], call[1].method, call[1].body]),
    ).toEqual([
      [`${BASE}/sessions/s%2F1/cancel`, 'POST', undefined],
      [`${BASE}/sessions/s1/resume`, 'POST', '{"prompt":"More"}'],
      [
        `${BASE}/launch-options?entityRef=component%3Adefault%2Fa&templateRef=template%3Adefault%2Ft`,
        'GET',
        undefined,
      ],
    ]);
  });

  it("rejects with a ResponseError that carries the server's message", async () => {
    const fetch = jest
      .fn()
      .mockResolvedValue(
        errorResponse('InputError', 'Prompt must not be blank', 400),
      );
    const error = await client(fetch)
      .createSession({ entityRef: 'component:default/a', prompt: ' ' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.body.error.message).toBe('Prompt must not be blank');
  });

  describe('streamLogs', () => {
    it('reads log, status and end events from the Server-Sent Events stream', async () => {
      const frames = [
        'retry: 2000\n\n',
        'id: 6\nevent: log\ndata: {"seq":6,"runId":"r1","timestamp":"t","line":"hello"}\n\n',
        'id: 7\nevent: log\ndata: {"seq":7,"runId":"r1","timestamp":"t","line":"wor',
        'ld"}\n\n: keep-alive\n\nevent: status\ndata: {"status":"succeeded"}\n\n',
        'event: end\ndata: {"status":"succeeded","lastSeq":7}\n\n',
      ];
      const fetch = jest.fn().mockResolvedValue(eventStream(frames));
      const events: AgentsLogStreamEvent[] = [];
      const onOpen = jest.fn();
      await client(fetch).streamLogs('s1', {
        after: 5,
        onOpen,
        onEvent: e => events.push(e),
      });
      expect(fetch.mock.calls[0][0]).toBe(`${BASE}/sessions/s1/logs?after=5`);
      expect(fetch.mock.calls[0][1].headers).toEqual({
        Accept: 'text/event-stream',
      });
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

    it('rejects with a ResponseError when the server refuses the stream', async () => {
      const fetch = jest
        .fn()
        .mockResolvedValue(
          errorResponse('NotFoundError', 'No such session', 404),
        );
      await expect(
        client(fetch).streamLogs('s1', { after: 0, onEvent: () => {} }),
      ).rejects.toMatchObject({
        statusCode: 404,
        body: { error: { message: 'No such session' } },
      });
    });

    it('resolves quietly when aborted', async () => {
      const controller = new AbortController();
      const fetch = jest.fn().mockImplementation(
        async () =>
          new Response(new ReadableStream({ start() {} }), {
            status: 200,
            headers: { 'Content-Type': 'text/event-stream' },
          }),
      );
      const done = client(fetch).streamLogs('s1', {
        after: 0,
        signal: controller.signal,
        onEvent: () => {},
      });
      await new Promise(r => setTimeout(r, 10));
      controller.abort();
      await expect(done).resolves.toBeUndefined();
    });
  });
});
