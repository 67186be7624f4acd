import { AgentsClient } from '../client/AgentsClient';
import type { AgentsLogStreamEvent } from '../client/types';
import { FakeAgentsApi } from './FakeAgentsApi';
import { makeFanOut, makeRun, makeSession, runId } from './sessionFixtures';

const BASE = 'http://agents.test/api/agents';

function call(fake: FakeAgentsApi, path: string, init?: RequestInit) {
  return fake.fetch(`${BASE}${path}`, init);
}

function post(fake: FakeAgentsApi, path: string, body: unknown) {
  return call(fake, path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('FakeAgentsApi', () => {
  describe('checks requests against the OpenAPI document, as the backend does', () => {
    it.each([
      [
        'a body without a required property',
        { entityRef: 'component:default/a' },
        /must have required property 'prompt'/,
      ],
      [
        'a property the document does not know',
        { entityRef: 'a', prompt: 'p', colour: 'red' },
        /must NOT have additional properties/,
      ],
      [
        'a harness outside the enum',
        { entityRef: 'a', prompt: 'p', harness: 'gpt' },
        /must be equal to one of the allowed values/,
      ],
    ])('refuses %s', async (_what, body, message) => {
      const fake = new FakeAgentsApi();
      const response = await post(fake, '/sessions', body);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toEqual({
        name: 'InputError',
        message: expect.stringMatching(message),
      });
      expect(fake.sessions).toEqual([]);
    });

    it.each([
      [
        'a page size over the maximum',
        '/sessions?limit=5000',
        /limit must be <= 1000/,
      ],
      [
        'a query parameter the document does not know',
        '/sessions?colour=red',
        /must NOT have additional properties/,
      ],
      [
        'a session id that is not a UUID',
        '/sessions/42',
        /id must match format "uuid"/,
      ],
      [
        'a negative log cursor',
        `/sessions/${makeSession(1).id}/logs?after=-1`,
        /after must be >= 0/,
      ],
    ])('refuses %s', async (_what, path, message) => {
      const response = await call(new FakeAgentsApi(1), path);
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toMatch(message);
    });

    it('records requests with their query typed as the document declares', async () => {
      const fake = new FakeAgentsApi(3);
      await call(fake, '/sessions?limit=2&status=running', {
        headers: { Authorization: 'Bearer t' },
      });
      expect(fake.requests).toEqual([
        {
          operation: 'ListSessions',
          method: 'GET',
          path: '/sessions',
          pathParams: {},
          query: { limit: 2, status: 'running' },
          authorization: 'Bearer t',
          lastEventId: undefined,
        },
      ]);
    });
  });

  describe('checks its own answers against the OpenAPI document', () => {
    it('answers 500 and records the violation when a session drifts from the document', async () => {
      const fake = new FakeAgentsApi(1);
      const { repoUrl: _, ...withoutRepo } = fake.sessions[0];
      fake.sessions = [withoutRepo as (typeof fake.sessions)[0]];
      const response = await call(fake, `/sessions/${withoutRepo.id}`);
      expect(response.status).toBe(500);
      expect((await response.json()).error.name).toBe('SpecViolation');
      expect(fake.violations).toEqual([
        expect.stringMatching(
          /^GetSession answered 200 .* must have required property 'repoUrl'/,
        ),
      ]);
    });

    it("checks a test's own replies too", async () => {
      const fake = new FakeAgentsApi(1);
      fake.intercept('GetSession', () => ({
        status: 200,
        body: {
          ...fake.sessions[0],
          runs: [{ ...fake.sessions[0].runs[0], id: 'run-1' }],
        },
      }));
      fake.fail('ListSessions', 503, 'ServiceUnavailableError', 'Down');
      expect(
        (await call(fake, `/sessions/${fake.sessions[0].id}`)).status,
      ).toBe(500);
      expect(fake.violations[0]).toMatch(
        /runs\/0\/id must match format "uuid"/,
      );
      expect((await call(fake, '/sessions')).status).toBe(503);
    });

    it('throws when a test sends a log event the document does not allow', () => {
      const fake = new FakeAgentsApi(1);
      return new Promise<void>(resolve => {
        fake.onStream = stream => {
          expect(() => stream.lines(1, 1, 'run-1')).toThrow(
            /runId must match format "uuid"/,
          );
          expect(() =>
            stream.emit({
              type: 'log',
              line: { seq: 0, runId: runId(1), timestamp: 't', line: '' },
            }),
          ).toThrow(/seq must be >= 1/);
          expect(() =>
            stream.emit({
              type: 'end',
              status: 'done' as 'failed',
              lastSeq: 1,
            }),
          ).toThrow(/status must be equal/);
          resolve();
        };
        call(fake, `/sessions/${fake.sessions[0].id}/logs`);
      });
    });
  });

  describe('behaves as the backend', () => {
    it('pages newest first with keyset cursors, at most maxPageSize at a time', async () => {
      const fake = new FakeAgentsApi(5);
      fake.maxPageSize = 2;
      const client = new AgentsClient({
        discoveryApi: fake.discoveryApi,
        fetchApi: fake,
      });
      const first = await client.listSessions({ limit: 3 });
      expect(first).toEqual({
        items: fake.sessions.slice(0, 2).map(({ runs, ...s }) => s),
        nextCursor: fake.sessions[1].id,
      });
      const last = await client.listSessions({
        cursor: (
          await client.listSessions({ cursor: first.nextCursor })
        ).nextCursor,
      });
      expect(last.items.map(s => s.id)).toEqual([fake.sessions[4].id]);
      expect(last.nextCursor).toBeUndefined();
    });

    it("filters by entity (in short form too), status, the caller's own and the fan-out", async () => {
      const fake = new FakeAgentsApi(6);
      fake.sessions[0] = {
        ...fake.sessions[0],
        entityRef: 'component:default/other',
      };
      fake.addFanOut(makeFanOut(10, ['running', 'succeeded']));
      const client = new AgentsClient({
        discoveryApi: fake.discoveryApi,
        fetchApi: fake,
      });
      const prompts = async (
        query: Parameters<typeof client.listSessions>[0],
      ) =>
        (await client.listSessions(query)).items.map(
          s => s.prompt.split('\n')[0],
        );
      expect(await prompts({ entityRef: 'other' })).toEqual(['Task number 6']);
      expect(
        await prompts({ status: 'failed,running', createdBy: 'me' }),
      ).toEqual(['Implement the ledger spec', 'Task number 2']);
      expect(await prompts({ status: 'succeeded', createdBy: 'me' })).toEqual([
        'T002 Implement ledger part 2',
      ]);
      expect(await prompts({ parentSessionId: fake.sessions[2].id })).toEqual([
        'T002 Implement ledger part 2',
        'T001 Implement ledger part 1',
      ]);
    });

    it('derives a fan-out’s status and counts from its children, and cancels them with it', async () => {
      const fake = new FakeAgentsApi(0);
      const { fanOut, children } = makeFanOut(1, [
        'running',
        'succeeded',
        'pending',
      ]);
      fake.addFanOut({ fanOut, children });
      const client = new AgentsClient({
        discoveryApi: fake.discoveryApi,
        fetchApi: fake,
      });
      expect(await client.getSession(fanOut.id)).toMatchObject({
        status: 'running',
        children: {
          total: 3,
          byStatus: { running: 1, succeeded: 1, pending: 1 },
        },
      });
      expect(await client.cancelSession(fanOut.id)).toMatchObject({
        status: 'cancelled',
        children: { total: 3, byStatus: { cancelled: 2, succeeded: 1 } },
      });
      await expect(
        client.resumeSession(fanOut.id, 'again'),
      ).rejects.toMatchObject({ statusCode: 409 });
    });

    it('sums usage over a session’s runs, and a fan-out’s over its tasks’ runs', async () => {
      const fake = new FakeAgentsApi(0);
      const { fanOut, children } = makeFanOut(1, ['succeeded', 'succeeded']);
      const [a, b] = children;
      a.runs = [
        makeRun(2, 1, {
          usage: { inputTokens: 1000, outputTokens: 10, costUsd: 0.1 },
        }),
        makeRun(2, 2, {
          usage: { inputTokens: 500, outputTokens: 5, costUsd: 0.2 },
        }),
        makeRun(2, 3),
      ];
      b.runs = [makeRun(3, 1, { usage: { inputTokens: 1, outputTokens: 2 } })];
      fake.addFanOut({ fanOut, children });
      fake.sessions.push(makeSession(9));
      const client = new AgentsClient({
        discoveryApi: fake.discoveryApi,
        fetchApi: fake,
      });
      expect((await client.getSession(a.id)).usage).toEqual({
        inputTokens: 1500,
        outputTokens: 15,
        costUsd: 0.3,
      });
      // b's run had no price: its tokens count, a cost would not be a total.
      const { items } = await client.listSessions({});
      expect(items.find(s => s.id === fanOut.id)?.usage).toEqual({
        inputTokens: 1501,
        outputTokens: 17,
      });
      expect(
        items.find(s => s.id === makeSession(9).id)?.usage,
      ).toBeUndefined();
      expect(fake.violations).toEqual([]);
    });

    it('answers an idempotency key it knows with the session it started', async () => {
      const fake = new FakeAgentsApi(0);
      const request = {
        entityRef: 'component:default/a',
        prompt: 'p',
        idempotencyKey: 'k',
      };
      const first = await post(fake, '/sessions', request);
      const second = await post(fake, '/sessions', request);
      expect([first.status, second.status]).toEqual([201, 200]);
      expect((await second.json()).id).toBe((await first.json()).id);
      expect(fake.sessions).toHaveLength(1);
    });

    it('refuses to cancel a finished session or resume an unfinished one', async () => {
      const fake = new FakeAgentsApi([
        makeSession(2, { status: 'running' }),
        makeSession(1, { status: 'succeeded' }),
      ]);
      expect(
        (
          await call(fake, `/sessions/${fake.sessions[1].id}/cancel`, {
            method: 'POST',
          })
        ).status,
      ).toBe(409);
      expect(
        (
          await post(fake, `/sessions/${fake.sessions[0].id}/resume`, {
            prompt: 'p',
          })
        ).status,
      ).toBe(409);
    });
  });

  describe('over HTTP', () => {
    const fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
    beforeAll(() => fake.listen());
    afterAll(() => fake.close());

    it('serves the API and streams logs, taking the cursor from Last-Event-ID too', async () => {
      const baseUrl = await fake.discoveryApi.getBaseUrl('agents');
      expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/agents$/);
      const client = new AgentsClient({ discoveryApi: fake.discoveryApi });
      expect((await client.getSession(fake.sessions[0].id)).status).toBe(
        'running',
      );

      fake.onStream = stream => {
        stream.open();
        stream.lines(stream.after + 1, stream.after + 2);
        stream.end('succeeded');
      };
      const events: AgentsLogStreamEvent[] = [];
      for await (const event of client.followLogs(fake.sessions[0].id, {
        after: 3,
      }))
        events.push(event);
      expect(
        events.map(e => (e.type === 'log' ? e.line.line : e.type)),
      ).toEqual(['line 4', 'line 5', 'status', 'end']);

      await fetch(`${baseUrl}/sessions/${fake.sessions[0].id}/logs`, {
        headers: { 'Last-Event-ID': '7' },
      }).then(r => r.text());
      expect(fake.streams.at(-1)?.after).toBe(7);
    });

    it('ends the stream when the client goes away', async () => {
      const controller = new AbortController();
      fake.onStream = stream => stream.open();
      const client = new AgentsClient({ discoveryApi: fake.discoveryApi });
      const done = client.streamLogs(fake.sessions[0].id, {
        after: 0,
        signal: controller.signal,
        onEvent: () => {},
      });
      await new Promise(r => setTimeout(r, 50));
      controller.abort();
      await done;
      await new Promise(r => setTimeout(r, 50));
      expect(fake.streams.at(-1)?.closed).toBe(true);
    });
  });
});
