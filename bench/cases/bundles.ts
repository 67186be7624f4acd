import {
  AgentsDatabase,
  BundleService,
  createBundleRouter,
  DatabaseBundleStore,
  hashRunToken,
  newSessionInput,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { ConfigReader } from '@backstage/config';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import express from 'express';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { postgres, sqlite, type BenchDatabase } from '../databases';
import { silentLogger } from '../silentLogger';
import type { Row } from '../table';

const SIZE_MB = Number(process.env.BENCH_BUNDLE_MB ?? 500);

/**
 * A bundle of BENCH_BUNDLE_MB (default 500 MB) uploaded to and downloaded from the bundle routes
 * over loopback, into the database bundle store: throughput and how much the process's RSS grows
 * above its level before the transfer (the server and the client share the process; both stream).
 */
export async function bundlesCase(): Promise<Row[]> {
  const file = makeBundle(SIZE_MB);
  const digest = `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
  const rows: Row[] = [];
  try {
    for (const open of [sqlite, postgres]) {
      const db = await open();
      if (!db) continue;
      try {
        rows.push(...(await measure(db, file, digest)));
      } finally {
        await db.dispose();
      }
    }
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  return rows;
}

/** A gzip-compressed tar holding one incompressible file, like a state directory of binary data. */
function makeBundle(megabytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-bundle-'));
  const state = path.join(dir, 'home/.local/share/opencode');
  fs.mkdirSync(state, { recursive: true });
  const fd = fs.openSync(path.join(state, 'opencode.db'), 'w');
  for (let i = 0; i < megabytes; i++) fs.writeSync(fd, randomBytes(1024 * 1024));
  fs.closeSync(fd);
  const file = path.join(dir, 'bundle.tar.gz');
  execFileSync('tar', ['-I', 'gzip -1', '-cf', file, '-C', path.join(dir, 'home'), '.local']);
  fs.rmSync(path.join(dir, 'home'), { recursive: true, force: true });
  return file;
}

async function measure(db: BenchDatabase, file: string, digest: string): Promise<Row[]> {
  const knex = db.knex;
  const agents = await AgentsDatabase.create({ database: { getClient: async () => knex } });
  const size = fs.statSync(file).size;
  const bundles = new BundleService({
    records: agents.bundleRecords,
    store: new DatabaseBundleStore(knex),
    logger: silentLogger,
    uploadGraceMs: 60_000,
  });
  const app = express();
  app.use(createBundleRouter({ bundles, logger: silentLogger, config: new ConfigReader({}) }));
  const server = app.listen(0);
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const policy = { name: 'bench', snapshot: { name: 'bench', maxBundleBytes: 2 * 1024 ** 3 } };
  const { session } = await agents.sessions.createSession(newSessionInput({ policy }));
  await agents.transitions.transition(session.id, 'starting', { run: { runTokenHash: hashRunToken('upload') } });
  const uploadRun = session.runs[0].id;

  global.gc?.();
  const uploadRss = sampleRss();
  const uploadStart = performance.now();
  await new Promise<void>((resolve, reject) => {
    const req = http.request(`${base}/runs/${uploadRun}/bundle`, {
      method: 'PUT',
      headers: { 'x-agents-run-token': 'upload', 'x-agents-bundle-digest': digest, 'content-length': size },
    }, res => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`upload ${res.statusCode}`))));
    });
    req.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(req);
  });
  const uploadMs = performance.now() - uploadStart;
  const uploadGrowth = uploadRss.stop();

  // The next run restores it.
  await agents.transitions.transition(session.id, 'succeeded');
  await agents.transitions.resume(session.id, 'Continue');
  const resumed = (await agents.sessions.getSession(session.id))!;
  await agents.transitions.transition(session.id, 'starting', {
    run: { runTokenHash: hashRunToken('download'), inputBundleId: resumed.bundle!.id },
  });
  const downloadRun = resumed.runs[1].id;

  global.gc?.();
  const downloadRss = sampleRss();
  const downloadStart = performance.now();
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    http.get(`${base}/runs/${downloadRun}/bundle`, { headers: { 'x-agents-run-token': 'download' } }, res => {
      if (res.statusCode !== 200) reject(new Error(`download ${res.statusCode}`));
      pipeline(res, hash).then(resolve, reject);
    }).on('error', reject);
  });
  const downloadMs = performance.now() - downloadStart;
  const downloadGrowth = downloadRss.stop();
  if (`sha256:${hash.digest('hex')}` !== digest) throw new Error('The downloaded bundle differs');
  server.close();

  const mb = size / 1024 / 1024;
  return [
    { database: db.name, transfer: 'upload', 'size (MB)': mb.toFixed(0), seconds: (uploadMs / 1000).toFixed(2), 'MB/s': (mb / (uploadMs / 1000)).toFixed(0), 'RSS growth (MB)': uploadGrowth.toFixed(0), target: '≥ 200 MB/s, ≤ 50 MB' },
    { database: db.name, transfer: 'download', 'size (MB)': mb.toFixed(0), seconds: (downloadMs / 1000).toFixed(2), 'MB/s': (mb / (downloadMs / 1000)).toFixed(0), 'RSS growth (MB)': downloadGrowth.toFixed(0), target: '≥ 200 MB/s, ≤ 50 MB' },
  ];
}

/** Peak RSS above the level when sampling started, in MB. */
function sampleRss() {
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return (peak - baseline) / 1024 / 1024;
    },
  };
}
