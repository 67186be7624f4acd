import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLlm, startFakeLlm } from './server';
import { parseSse } from './sse';
import { OPENCODE_LIKE_TOOLS } from './__testUtils__/streams';

describe('startFakeLlm', () => {
  let llm: FakeLlm;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fake-llm-'));
    llm = await startFakeLlm({
      socketPath: join(dir, 'llm.sock'),
      scripts: {
        hello: () => ({ kind: 'text', text: 'Hello from a custom script' }),
      },
    });
  });
  afterAll(async () => {
    await llm.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => llm.clearRequests());

  const post = (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${llm.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-secret',
        ...headers,
      },
      body: JSON.stringify(body),
    });

  it('streams a chat completion tool call and records the request without credentials', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'fake-model',
      stream: true,
      tools: OPENCODE_LIKE_TOOLS.map(t => ({ type: 'function', function: t })),
      messages: [{ role: 'user', content: 'Edit please' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse(await response.text());
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events.map(e => e.data).join('')).toContain('"name":"write"');
    expect(llm.requests).toEqual([
      expect.objectContaining({
        seq: 1,
        method: 'POST',
        path: '/v1/chat/completions',
        protocol: 'chat-completions',
        scenario: 'edit',
        status: 200,
        body: expect.objectContaining({
          messages: [{ role: 'user', content: 'Edit please' }],
        }),
      }),
    ]);
    expect(llm.requests[0].headers.authorization).toBeUndefined();
    expect(llm.requests[0].headers['content-type']).toBe('application/json');
  });

  it('answers each protocol with its own error shape for [llm:fail]', async () => {
    const chat = await post('/v1/chat/completions', {
      messages: [{ role: 'user', content: 'x [llm:fail]' }],
    });
    expect(chat.status).toBe(400);
    expect(await chat.json()).toMatchObject({
      error: { type: 'invalid_request_error' },
    });
    const anthropic = await post(
      '/v1/messages?beta=true',
      { messages: [{ role: 'user', content: 'x [llm:fail:529]' }] },
      { 'x-api-key': 'secret', 'anthropic-version': '2023-06-01' },
    );
    expect(anthropic.status).toBe(529);
    expect(await anthropic.json()).toEqual({
      type: 'error',
      error: {
        type: 'overloaded_error',
        message: 'fake-llm: scripted failure (HTTP 529)',
      },
    });
    const responses = await post('/v1/responses', {
      input: 'x [llm:fail:500]',
    });
    expect(responses.status).toBe(500);
    expect(await responses.json()).toMatchObject({
      error: { type: 'server_error' },
    });
    expect(llm.requests.map(r => [r.protocol, r.scenario, r.status])).toEqual([
      ['chat-completions', 'fail', 400],
      ['anthropic-messages', 'fail', 529],
      ['responses', 'fail', 500],
    ]);
    expect(llm.requests[1].headers['x-api-key']).toBeUndefined();
  });

  it('streams slowly for [llm:slow] once the edit is done', async () => {
    const started = Date.now();
    const response = await post('/v1/responses', {
      stream: true,
      input: [
        { role: 'user', content: 'x [llm:slow:30]' },
        { type: 'function_call_output', call_id: 'c', output: 'ok' },
      ],
    });
    const events = parseSse(await response.text());
    expect(Date.now() - started).toBeGreaterThanOrEqual(20 * 30 - 50);
    expect(
      events.filter(e => e.event === 'response.output_text.delta'),
    ).toHaveLength(20);
  });

  it('serves non-streaming answers, custom scripts, model lists, token counts and probes', async () => {
    const answer = await post('/v1/messages', {
      messages: [{ role: 'user', content: 'x [llm:hello]' }],
    });
    expect(await answer.json()).toMatchObject({
      content: [{ type: 'text', text: 'Hello from a custom script' }],
    });
    const count = await post('/v1/messages/count_tokens', {
      model: 'm',
      messages: [],
    });
    expect(await count.json()).toEqual({ input_tokens: 4 });
    const openAiModels = await (await fetch(`${llm.url}/v1/models`)).json();
    expect(openAiModels).toMatchObject({
      object: 'list',
      data: [{ id: 'fake-model' }],
    });
    const anthropicModels = await (
      await fetch(`${llm.url}/v1/models`, {
        headers: { 'anthropic-version': '2023-06-01' },
      })
    ).json();
    expect(anthropicModels).toMatchObject({
      data: [{ type: 'model', id: 'fake-model' }],
      has_more: false,
    });
    expect(
      (await fetch(`${llm.url}/api/hello`, { method: 'HEAD' })).status,
    ).toBe(200);
    const missing = await fetch(`${llm.url}/v1/embeddings`, {
      method: 'POST',
      body: '{}',
    });
    expect(missing.status).toBe(404);
    expect(llm.requests.map(r => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /v1/messages 200',
      'POST /v1/messages/count_tokens 200',
      'GET /v1/models 200',
      'GET /v1/models 200',
      'HEAD /api/hello 200',
      'POST /v1/embeddings 404',
    ]);
  });

  it('accepts paths without the /v1 prefix and answers on the Unix socket too', async () => {
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'x [llm:text]' }],
    });
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(
        {
          socketPath: llm.socketPath,
          path: '/chat/completions',
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        },
        res => {
          let data = '';
          res.on('data', chunk => (data += chunk));
          res.on('end', () => resolve(data));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    expect(JSON.parse(text)).toMatchObject({
      choices: [
        { message: { content: 'fake-llm read: x' }, finish_reason: 'stop' },
      ],
    });
  });

  it('records compressed request bodies decompressed', async () => {
    const body = { messages: [{ role: 'user', content: 'zipped [llm:text]' }] };
    const response = await fetch(`${llm.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(JSON.stringify(body)),
    });
    expect(response.status).toBe(200);
    expect(llm.requests[0].body).toEqual(body);
  });

  it('reports the same usage for the same request', async () => {
    const body = { messages: [{ role: 'user', content: 'same [llm:text]' }] };
    const first = await (await post('/v1/chat/completions', body)).json();
    const second = await (await post('/v1/chat/completions', body)).json();
    expect(first.usage).toEqual(second.usage);
    expect(first.usage.prompt_tokens).toBe(
      Math.ceil(JSON.stringify(body).length / 4),
    );
  });
});
