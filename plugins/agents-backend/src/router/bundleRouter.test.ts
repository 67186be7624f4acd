/* eslint-disable jest/no-standalone-expect -- hooks assert what must hold before and after every case */
import { mockServices, type TestDatabaseId } from '@backstage/backend-test-utils';
import express from 'express';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import { create as createTar } from 'tar';
import { BundleService } from '../bundles/BundleService';
import { DatabaseBundleStore } from '../bundles/DatabaseBundleStore';
import { hashRunToken } from '../bundles/runTokens';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { spec } from '../schema/openapi.generated';
import { createBundleRouter } from './bundleRouter';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const MAX_BYTES = 256 * 1024;
const sha = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A real bundle: a gzip-compressed tar of a harness state directory. */
async function makeBundle(content: string | Buffer): Promise<Buffer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bundle-'));
  fs.mkdirSync(path.join(home, '.local/share/opencode'), { recursive: true });
  fs.writeFileSync(path.join(home, '.local/share/opencode/opencode.db'), content);
  const file = path.join(home, 'bundle.tar.gz');
  await createTar({ gzip: true, file, cwd: home }, ['.local']);
  return fs.readFileSync(file);
}

/** Every `METHOD status` the routes answered in these tests; each must be in the OpenAPI document. */
const answered = new Set<string>();

/** One HTTP exchange with the bundle routes, streaming `body` when given. */
function send(
  url: string,
  options: { method: 'PUT' | 'GET'; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: Buffer; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: options.method, headers: options.headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', chunk => chunks.push(chunk));
      res.on('end', () => {
        answered.add(`${options.method} ${res.statusCode}`);
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks), headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

afterAll(() => {
  const operations = spec.paths['/runs/{runId}/bundle'];
  const documented = [
    ...Object.keys(operations.put.responses).map(status => `PUT ${status}`),
    ...Object.keys(operations.get.responses).map(status => `GET ${status}`),
  ];
  expect([...answered].sort()).toEqual(expect.arrayContaining(['GET 200', 'PUT 201']));
  for (const exchange of answered) expect(documented).toContain(exchange);
});

const message = (res: { body: Buffer }) => JSON.parse(res.body.toString()).error.message as string;

describe.each(databases.eachSupportedId())('bundle transfers on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let db: AgentsDatabase;
  let server: http.Server;
  let baseUrl: string;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    const logger = mockServices.logger.mock();
    const bundles = new BundleService({
      records: db.bundleRecords,
      store: new DatabaseBundleStore(knex, 64 * 1024),
      logger,
      uploadGraceMs: 60_000,
    });
    const app = express();
    app.use(createBundleRouter({ bundles, logger, config: mockServices.rootConfig() }));
    server = app.listen(0);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  /** A session whose latest run holds `token`, as the launcher leaves it. */
  async function runWithToken(token: string, sessionId?: string) {
    let id = sessionId;
    if (!id) {
      const { session } = await db.sessions.createSession(
        newSessionInput({
          policy: { name: 'small', snapshot: { name: 'small', maxBundleBytes: MAX_BYTES } },
        }),
      );
      id = session.id;
    } else {
      await db.transitions.transition(id, 'succeeded');
      await db.transitions.resume(id, 'Continue');
    }
    const current = (await db.sessions.getSession(id))!;
    await db.transitions.transition(id, 'starting', {
      run: { runTokenHash: hashRunToken(token), inputBundleId: current.bundle?.id },
    });
    const session = (await db.sessions.getSession(id))!;
    return { session, run: session.runs[session.runs.length - 1] };
  }

  const put = (runId: string, token: string | undefined, body: Buffer, digest = sha(body)) =>
    send(`${baseUrl}/runs/${runId}/bundle`, {
      method: 'PUT',
      headers: {
        ...(token ? { 'x-agents-run-token': token } : {}),
        'x-agents-bundle-digest': digest,
        'content-type': 'application/gzip',
      },
      body,
    });

  const bundleRows = (sessionId: string) => knex('agents_bundles').where({ session_id: sessionId });
  const chunkCount = async () => Number((await knex('agents_bundle_chunks').count({ n: '*' }))[0].n);

  it('stores an upload, hands it to the next run, and streams it back byte for byte', async () => {
    const first = await runWithToken('token-one');
    const bundle = await makeBundle(randomBytes(150_000));
    const uploaded = await put(first.run.id, 'token-one', bundle);
    expect(uploaded.status).toBe(201);
    expect(JSON.parse(uploaded.body.toString())).toMatchObject({ digest: sha(bundle), sizeBytes: bundle.length });

    const session = (await db.sessions.getSession(first.session.id))!;
    expect(session.bundle).toMatchObject({ digest: sha(bundle), sizeBytes: bundle.length });

    const next = await runWithToken('token-two', first.session.id);
    const downloaded = await send(`${baseUrl}/runs/${next.run.id}/bundle`, {
      method: 'GET',
      headers: { 'x-agents-run-token': 'token-two' },
    });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers['x-agents-bundle-digest']).toBe(sha(bundle));
    expect(downloaded.body.equals(bundle)).toBe(true);
    // The first run never restores anything.
    const none = await send(`${baseUrl}/runs/${first.run.id}/bundle`, {
      method: 'GET',
      headers: { 'x-agents-run-token': 'token-one' },
    });
    expect(none.status).toBe(404);
  });

  describe('refuses bad uploads, storing nothing and keeping the previous bundle', () => {
    let sessionId: string;
    let runId: string;
    let previous: Buffer;

    beforeAll(async () => {
      const { session, run } = await runWithToken('good-token');
      sessionId = session.id;
      runId = run.id;
      previous = await makeBundle('state of the first run');
      expect((await put(runId, 'good-token', previous)).status).toBe(201);
    });

    afterEach(async () => {
      const rows = await bundleRows(sessionId);
      expect(rows.map(r => r.digest)).toEqual([sha(previous)]);
      expect(rows[0].state).toBe('complete');
      expect((await db.sessions.getSession(sessionId))!.bundle?.digest).toBe(sha(previous));
      expect(await chunkCount()).toBeGreaterThan(0);
      // Every chunk belongs to a complete bundle: nothing of a refused upload is left.
      const orphans = await knex('agents_bundle_chunks')
        .whereNotIn(
          'bundle_key',
          knex('agents_bundles').where({ state: 'complete' }).select(knex.raw('cast(id as varchar(64))')),
        )
        .count({ n: '*' });
      expect(Number(orphans[0].n)).toBe(0);
    });

    it('a wrong digest', async () => {
      const res = await put(runId, 'good-token', await makeBundle('new state'), `sha256:${'0'.repeat(64)}`);
      expect(res.status).toBe(400);
      expect(message(res)).toContain('corrupted or truncated');
    });

    it('a corrupted archive', async () => {
      const junk = randomBytes(20_000);
      const res = await put(runId, 'good-token', junk);
      expect(res.status).toBe(400);
      expect(message(res)).toContain('not a valid gzip-compressed tar archive');
    });

    it('a truncated archive', async () => {
      const whole = await makeBundle(randomBytes(100_000));
      const truncated = whole.subarray(0, Math.floor(whole.length / 2));
      const res = await put(runId, 'good-token', truncated);
      expect(res.status).toBe(400);
      expect(message(res)).toContain('not a valid gzip-compressed tar archive');
    });

    it('a missing or malformed digest', async () => {
      const res = await put(runId, 'good-token', await makeBundle('x'), 'md5:abc');
      expect(res.status).toBe(400);
      expect(message(res)).toContain('sha256:<64 hex digits>');
    });

    it('a bundle over the policy limit, declared or streamed', async () => {
      const big = await makeBundle(randomBytes(MAX_BYTES + 10_000));
      const declared = await put(runId, 'good-token', big);
      expect(declared.status).toBe(413);
      expect(message(declared)).toContain(`allows at most ${MAX_BYTES}`);

      // Chunked, without a Content-Length: the limit is enforced while streaming.
      const streamed = await new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
        const req = http.request(`${baseUrl}/runs/${runId}/bundle`, {
          method: 'PUT',
          headers: { 'x-agents-run-token': 'good-token', 'x-agents-bundle-digest': sha(big), 'transfer-encoding': 'chunked' },
        }, res => {
          const chunks: Buffer[] = [];
          res.on('data', c => chunks.push(c));
          res.on('end', () => {
            answered.add(`PUT ${res.statusCode}`);
            resolve({ status: res.statusCode!, body: Buffer.concat(chunks) });
          });
        });
        req.on('error', reject);
        for (let i = 0; i < big.length; i += 16_384) req.write(big.subarray(i, i + 16_384));
        req.end();
      });
      expect(streamed.status).toBe(413);
    });

    it('an upload the client abandons half-way', async () => {
      const bundle = await makeBundle(randomBytes(120_000));
      await new Promise<void>(resolve => {
        const req = http.request(`${baseUrl}/runs/${runId}/bundle`, {
          method: 'PUT',
          headers: {
            'x-agents-run-token': 'good-token',
            'x-agents-bundle-digest': sha(bundle),
            'content-length': String(bundle.length),
          },
        });
        req.on('error', () => resolve());
        req.write(bundle.subarray(0, 50_000), () => setTimeout(() => {
          req.destroy();
          resolve();
        }, 200));
      });
      // The server notices the abort and removes the partial upload.
      for (let i = 0; i < 50 && (await bundleRows(sessionId)).length > 1; i++) {
        await new Promise(r => setTimeout(r, 100));
      }
      expect(await bundleRows(sessionId)).toHaveLength(1);
    });

    it('a missing, foreign or expired run token', async () => {
      const bundle = await makeBundle('new state');
      const missing = await put(runId, undefined, bundle);
      expect(missing.status).toBe(401);
      expect(message(missing)).toContain('X-Agents-Run-Token');

      const other = await runWithToken('other-token');
      const foreign = await put(runId, 'other-token', bundle);
      expect(foreign.status).toBe(401);
      expect(message(foreign)).toContain(`not valid for run ${runId}`);
      const unknownRun = await put('6f1d1b7e-0000-4000-8000-000000000000', 'good-token', bundle);
      expect(unknownRun.status).toBe(401);

      await knex('agents_runs')
        .where({ id: other.run.id })
        .update({ finished_at: DateTime.utc().minus({ minutes: 10 }).toISO() });
      const expired = await put(other.run.id, 'other-token', bundle);
      expect(expired.status).toBe(401);
      expect(message(expired)).toContain('expired');
      expect(await bundleRows(other.session.id)).toHaveLength(0);
    });

    it('a run id that is not a UUID, before it reaches the database', async () => {
      const upload = await put('not-a-run', 'good-token', await makeBundle('new state'));
      expect(upload.status).toBe(400);
      expect(message(upload)).toBe("Run id 'not-a-run' is not a UUID; use the id of one of the session's runs");
      const download = await send(`${baseUrl}/runs/not-a-run/bundle`, {
        method: 'GET',
        headers: { 'x-agents-run-token': 'good-token' },
      });
      expect(download.status).toBe(400);
      expect(message(download)).toContain('is not a UUID');
    });
  });
});
