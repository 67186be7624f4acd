import { mockCredentials, type TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import http from 'node:http';
import request from 'supertest';
import { asJane, startBackend, testConfig } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { waitFor } from '../__testUtils__/simulatedCluster';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const CAP = 3;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body?: { error: { name: string; message: string } };
  /** Closes an open stream from the client's side. */
  close: () => void;
}

describe.each(databases.eachSupportedId())('event streams per caller on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let baseUrl: string;
  let sessionId: string;
  const open: Answer[] = [];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startBackend(knex, {
      config: { agents: { ...testConfig.agents, limits: { maxStreamsPerUser: CAP } } },
    });
    baseUrl = `http://127.0.0.1:${backend.server.port()}/api/agents`;
    const created = await request(backend.server)
      .post('/api/agents/sessions')
      .set(asJane)
      .send({ entityRef: 'component:default/payments', prompt: 'Add refunds' });
    if (created.status !== 201) throw new Error(`Creating a session failed: ${created.status} ${created.text}`);
    sessionId = created.body.id;
  });

  afterEach(() => {
    open.splice(0).forEach(stream => stream.close());
  });

  afterAll(async () => {
    await backend.server.stop?.();
    await knex('agents_sessions').delete();
  });

  /** Opens the session's log stream; resolves once it is streaming, or with the refusal. */
  const openStream = (authorization: string) =>
    new Promise<Answer>((resolve, reject) => {
      const req = http.get(
        `${baseUrl}/sessions/${sessionId}/logs`,
        { headers: { accept: 'text/event-stream', authorization } },
        res => {
          const close = () => req.destroy();
          if (res.statusCode === 200) {
            res.once('data', () => {
              const answer = { status: 200, headers: res.headers, close };
              open.push(answer);
              resolve(answer);
            });
            return;
          }
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(Buffer.concat(chunks).toString()), close }),
          );
        },
      );
      req.on('error', reject);
    });

  // Each test has callers of its own: the server frees the slots of the streams closed after a test a little later.
  const user = (name: string) => mockCredentials.user.header(`user:default/${name}`);

  it('refuses a caller’s stream past the cap with 429 and Retry-After, and takes it again once one closes', async () => {
    const jane = user('jane');
    const streams = [];
    for (let i = 0; i < CAP; i++) streams.push(await openStream(jane));
    expect(streams.map(s => s.status)).toEqual(Array(CAP).fill(200));

    const refused = await openStream(jane);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body?.error.name).toBe('TooManyRequestsError');
    expect(refused.body?.error.message).toContain(`user:default/jane already has ${CAP} event streams open`);
    expect(refused.body?.error.message).toContain('agents.limits.maxStreamsPerUser');

    streams[0].close();
    // The server frees the slot when it sees the connection close.
    const reopened = await waitFor('a free stream slot', async () => {
      const answer = await openStream(jane);
      return answer.status === 200 ? answer : undefined;
    }, 10_000);
    expect(reopened.status).toBe(200);
    expect((await openStream(jane)).status).toBe(429);
  });

  it('counts each caller on its own', async () => {
    const [jane, john] = [user('jane.doe'), user('john')];
    for (let i = 0; i < CAP; i++) expect((await openStream(jane)).status).toBe(200);
    expect((await openStream(jane)).status).toBe(429);
    for (let i = 0; i < CAP; i++) expect((await openStream(john)).status).toBe(200);
    expect((await openStream(john)).status).toBe(429);
    // A service is a caller of its own too.
    expect((await openStream(mockCredentials.service.header())).status).toBe(200);
  });

  it('holds no slot for a refused stream request', async () => {
    const mona = user('mona');
    for (let i = 0; i < CAP + 2; i++) {
      const res = await request(backend.server)
        .get('/api/agents/sessions/00000000-0000-4000-8000-000000000000/logs')
        .set({ authorization: mona });
      expect(res.status).toBe(404);
    }
    for (let i = 0; i < CAP; i++) expect((await openStream(mona)).status).toBe(200);
  });
});
