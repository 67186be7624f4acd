import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import http from 'node:http';
import request from 'supertest';
import { asJane, startBackend, testConfig } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MB = 1024 * 1024;

/** Sends a body as it is, with a Content-Length or chunked; answers are read even if the server stops reading. */
function send(
  url: string,
  body: Buffer,
  options: { chunked?: boolean; method?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'POST',
      headers: {
        ...asJane,
        'content-type': 'application/json',
        ...(options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(body.length) }),
      },
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', chunk => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    // The server may close the connection before the whole body is written: the answer still counts.
    req.on('error', error => setTimeout(() => reject(error), 1000));
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

const createBody = (promptLength: number) =>
  Buffer.from(JSON.stringify({ entityRef: 'component:default/payments', prompt: 'x'.repeat(promptLength) }));

describe.each(databases.eachSupportedId())('the request body limit on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let baseUrl: string;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBackend(knex);
    baseUrl = `http://127.0.0.1:${backend.server.port()}/api/agents`;
  });

  afterAll(async () => {
    await backend.server.stop?.();
    await knex('agents_sessions').delete();
  });

  const rows = async () => Number((await knex('agents_sessions').count({ n: '*' }))[0].n);

  it.each([
    ['declared by its Content-Length', false],
    ['streamed in chunks', true],
  ])('refuses a JSON body over 1 MB %s with 413, saying the limit and how to fix it, and writes nothing', async (_how, chunked) => {
    const before = await rows();
    const res = await send(`${baseUrl}/sessions`, createBody(2 * MB), { chunked });
    expect(res.status).toBe(413);
    expect(res.body.error.name).toBe('RequestBodyTooLargeError');
    expect(res.body.error.message).toContain('limit of 1,048,576 bytes (agents.limits.maxRequestBodyBytes)');
    expect(res.body.error.message).toContain('send a smaller body');
    expect(res.body.response).toEqual({ statusCode: 413 });
    expect(await rows()).toBe(before);
  });

  it('refuses a large body on a route that takes none, or one that does not exist', async () => {
    const body = createBody(2 * MB);
    expect((await send(`${baseUrl}/sessions/00000000-0000-4000-8000-000000000000/cancel`, body)).status).toBe(413);
    expect((await send(`${baseUrl}/nowhere`, body, { method: 'PUT' })).status).toBe(413);
  });

  it('reads bodies under the limit but over the parser’s usual 100 kB, and validates them', async () => {
    const res = await send(`${baseUrl}/sessions`, createBody(200_000));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/32000|32,000/);
  });

  it('says what is wrong with a body that is not JSON', async () => {
    const res = await request(backend.server)
      .post('/api/agents/sessions')
      .set(asJane)
      .set('content-type', 'application/json')
      .send('{"entityRef": "component:default/payments", "prompt": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ name: 'InputError' });
    expect(res.body.error.message).toContain('The request body is not valid JSON');
  });

  it('takes its limit from agents.limits.maxRequestBodyBytes', async () => {
    const small = await startBackend(knex, {
      config: { agents: { ...testConfig.agents, limits: { maxRequestBodyBytes: 100 } } },
    });
    try {
      const res = await request(small.server).post('/api/agents/sessions').set(asJane).send({
        entityRef: 'component:default/payments',
        prompt: 'x'.repeat(200),
      });
      expect(res.status).toBe(413);
      expect(res.body.error.message).toContain('limit of 100 bytes');
    } finally {
      await small.server.stop?.();
    }
  });
});
