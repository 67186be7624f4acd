import {
  AgentsDatabase,
  BundleService,
  createBundleRouter,
  DatabaseBundleStore,
  hashRunToken,
  newSessionInput,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { ConfigReader } from '@backstage/config';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import express from 'express';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// The S3 store is not part of the package's test utilities; the bench takes it from its source.
import { S3BundleStore } from '../../plugins/agents-backend/src/bundles/S3BundleStore';
import { cpuMeter } from '../cpu';
import { postgres, sqlite, type BenchDatabase } from '../databases';
import { silentLogger } from '../silentLogger';
import type { Row } from '../table';
import { figure } from '../target';

const SIZE_MB = Number(process.env.BENCH_BUNDLE_MB ?? 500);
/** Which stores to measure, e.g. `BENCH_BUNDLE_STORES=postgres,s3`; all by default. */
const STORES = (process.env.BENCH_BUNDLE_STORES ?? 'sqlite,postgres,s3').split(',');
/** A directory to write a CPU profile of each transfer into, with its top functions printed. */
const PROFILE_DIR = process.env.BENCH_BUNDLE_PROFILE;
/**
 * A small transfer each way before the measured ones (BENCH_BUNDLE_WARMUP_MB, 0 for none): the
 * first transfer of a process grows its heaps once (30–50 MB here, the same at 20 MB as at 100 MB),
 * which a long-running backend has already paid; the RSS rows measure what a transfer adds.
 */
const WARM_UP_MB = Number(process.env.BENCH_BUNDLE_WARMUP_MB ?? 8);
const MIN_MB_PER_S = 200;
const MAX_RSS_GROWTH_MB = 50;

/**
 * A bundle of BENCH_BUNDLE_MB (default 500) MiB — a gzip-compressed tar of incompressible bytes —
 * uploaded to and downloaded from the bundle routes over loopback by a client in another process
 * (`processes/bundleClient.js`), with the database store on SQLite and on PostgreSQL, and with the S3
 * store against an S3-compatible server in a third process. Measured in the backend (this process):
 * throughput, peak RSS during the transfer above the RSS before it, and CPU ms per MB.
 */
export async function bundlesCase(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-bundle-'));
  const client = startClient();
  const rows: Row[] = [];
  try {
    const file = path.join(dir, 'bundle.tar.gz');
    const { digest } = await client.call<{ digest: string }>({ cmd: 'prepare', file, megabytes: SIZE_MB });
    const bundle = { file, digest, megabytes: fs.statSync(file).size / 1024 / 1024 };
    const warmUpFile = path.join(dir, 'warm-up.tar.gz');
    const warmUp = WARM_UP_MB > 0
      ? { file: warmUpFile, ...(await client.call<{ digest: string }>({ cmd: 'prepare', file: warmUpFile, megabytes: WARM_UP_MB })) }
      : undefined;

    if (STORES.includes('sqlite')) {
      const db = await sqlite();
      try {
        rows.push(...(await measure('SQLite store', db, new DatabaseBundleStore(db.knex), client, bundle, warmUp)));
      } finally {
        await db.dispose();
      }
    }
    if (STORES.includes('postgres')) {
      const db = await postgres();
      if (db) {
        try {
          rows.push(...(await measure('PostgreSQL store', db, new DatabaseBundleStore(db.knex), client, bundle, warmUp)));
        } finally {
          await db.dispose();
        }
      }
    }
    if (STORES.includes('s3')) {
      const s3 = await startS3Server(path.join(dir, 's3'));
      const db = await sqlite();
      const store = new S3BundleStore({
        bucket: 'bundles',
        prefix: 'agents/',
        client: {
          region: 'us-east-1',
          endpoint: s3.endpoint,
          forcePathStyle: true,
          credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        },
      });
      try {
        rows.push(...(await measure('S3 store', db, store, client, bundle, warmUp)));
      } finally {
        store.destroy();
        await db.dispose();
        await s3.stop();
      }
    }
  } finally {
    client.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

type BundleStore = ConstructorParameters<typeof BundleService>[0]['store'];
type Bundle = { file: string; digest: string; megabytes: number };
type Transfer = { ok: boolean; error?: string; status: number; ms: number; bytes: number; digest?: string; body?: string };

async function measure(
  label: string,
  db: BenchDatabase,
  store: BundleStore,
  client: Client,
  bundle: Bundle,
  warmUp?: { file: string; digest: string },
): Promise<Row[]> {
  const agents = await AgentsDatabase.create({ database: { getClient: async () => db.knex } });
  const bundles = new BundleService({
    records: agents.bundleRecords,
    store,
    logger: silentLogger,
    uploadGraceMs: 60_000,
  });
  const app = express();
  app.use(createBundleRouter({ bundles, logger: silentLogger, config: new ConfigReader({}) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const policy = { name: 'bench', snapshot: { name: 'bench', maxBundleBytes: 2 * 1024 ** 3 } };
    if (warmUp) {
      const { session: warm } = await agents.sessions.createSession(newSessionInput({ policy }));
      await agents.transitions.transition(warm.id, 'starting', { run: { runTokenHash: hashRunToken('warm') } });
      const url = `${base}/runs/${warm.runs[0].id}/bundle`;
      const put = await client.call<Transfer>({ cmd: 'upload', url, token: 'warm', ...warmUp });
      if (put.status !== 201) throw new Error(`${label}: the warm-up upload answered ${put.status}: ${put.body}`);
      await agents.transitions.transition(warm.id, 'succeeded');
      await agents.transitions.resume(warm.id, 'Continue');
      const next = (await agents.sessions.getSession(warm.id))!;
      await agents.transitions.transition(warm.id, 'starting', {
        run: { runTokenHash: hashRunToken('warm-down'), inputBundleId: next.bundle!.id },
      });
      await client.call<Transfer>({ cmd: 'download', url: `${base}/runs/${next.runs[1].id}/bundle`, token: 'warm-down' });
    }
    const { session } = await agents.sessions.createSession(newSessionInput({ policy }));
    await agents.transitions.transition(session.id, 'starting', { run: { runTokenHash: hashRunToken('upload') } });

    const upload = await timed(`${label} upload`, () =>
      client.call<Transfer>({
        cmd: 'upload',
        url: `${base}/runs/${session.runs[0].id}/bundle`,
        token: 'upload',
        digest: bundle.digest,
        file: bundle.file,
      }),
    );
    if (upload.result.status !== 201) throw new Error(`${label}: upload answered ${upload.result.status}: ${upload.result.body}`);

    // The next run restores it.
    await agents.transitions.transition(session.id, 'succeeded');
    await agents.transitions.resume(session.id, 'Continue');
    const resumed = (await agents.sessions.getSession(session.id))!;
    await agents.transitions.transition(session.id, 'starting', {
      run: { runTokenHash: hashRunToken('download'), inputBundleId: resumed.bundle!.id },
    });
    const download = await timed(`${label} download`, () =>
      client.call<Transfer>({ cmd: 'download', url: `${base}/runs/${resumed.runs[1].id}/bundle`, token: 'download' }),
    );
    if (download.result.status !== 200 || download.result.digest !== bundle.digest) {
      throw new Error(`${label}: the download (${download.result.status}) differs from the upload`);
    }

    const mb = bundle.megabytes;
    const rowsOf = (transfer: string, t: typeof upload) => [
      figure(
        `${label}: ${transfer} ${mb.toFixed(0)} MB (CPU per MB)`,
        mb / (t.result.ms / 1000),
        'MB/s',
        { min: MIN_MB_PER_S },
        t.cpuMs / mb,
      ),
      figure(`${label}: ${transfer}, backend RSS growth`, t.rssGrowthMb, 'MB', { max: MAX_RSS_GROWTH_MB }),
    ];
    return [...rowsOf('upload', upload), ...rowsOf('download', download)];
  } finally {
    await new Promise(resolve => server.close(resolve));
  }
}

/** Runs `transfer` and measures this process meanwhile: CPU time and peak RSS above the start. */
async function timed<T>(name: string, transfer: () => Promise<T>) {
  (global as { gc?: () => void }).gc?.();
  const profiler = PROFILE_DIR ? await startProfiler() : undefined;
  const rss = peakRss();
  const cpu = cpuMeter();
  cpu.start();
  const result = await transfer();
  const cpuMs = cpu.stop();
  const rssGrowthMb = rss.stop();
  await profiler?.stop(name);
  return { result, cpuMs, rssGrowthMb };
}

/** Profiles this process until `stop`, which writes the profile and prints its top self times. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  return {
    async stop(name: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      fs.mkdirSync(PROFILE_DIR!, { recursive: true });
      const file = path.join(PROFILE_DIR!, `${name.replace(/\W+/g, '-')}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      const self = new Map<string, number>();
      const nodes = new Map(profile.nodes.map(n => [n.id, n]));
      let total = 0;
      profile.samples!.forEach((id, i) => {
        const frame = nodes.get(id)!.callFrame;
        const where = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
        const ms = (profile.timeDeltas![i] ?? 0) / 1000;
        total += ms;
        self.set(where, (self.get(where) ?? 0) + ms);
      });
      console.log(`\n${name}: top self time of ${total.toFixed(0)} ms (${file})`);
      for (const [where, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
        console.log(`${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${where}`);
      }
    },
  };
}

/**
 * Peak RSS above the RSS at the start, in MB. On Linux the kernel's high-water mark is reset and read
 * back, so no peak is missed however busy the event loop is; elsewhere RSS is sampled.
 */
function peakRss() {
  const baseline = process.memoryUsage.rss();
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
    return {
      stop() {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
        return (Math.max(baseline, Number(hwm![1]) * 1024) - baseline) / 1024 / 1024;
      },
    };
  } catch {
    // Not Linux, or not allowed: sample instead.
  }
  let peak = baseline;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  return {
    stop() {
      clearInterval(timer);
      return (Math.max(peak, process.memoryUsage.rss()) - baseline) / 1024 / 1024;
    },
  };
}

type Client = ReturnType<typeof startClient>;

/** The client process: one request at a time over IPC. */
function startClient() {
  const child = fork(path.join(__dirname, '../processes/bundleClient.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [],
  });
  return {
    call<T extends object>(message: object): Promise<T> {
      return new Promise((resolve, reject) => {
        const onExit = (code: number | null) => reject(new Error(`The bundle client exited with ${code}`));
        child.once('exit', onExit);
        child.once('message', (answer: { ok: boolean; error?: string }) => {
          child.off('exit', onExit);
          if (answer.ok) resolve(answer as T);
          else reject(new Error(`The bundle client failed: ${answer.error}`));
        });
        child.send(message);
      });
    },
    stop() {
      if (child.connected) child.disconnect();
    },
  };
}

/** The S3-compatible server in its own process, keeping its objects under `directory`. */
async function startS3Server(directory: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  fs.mkdirSync(directory, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(__dirname, '../processes/s3Server.js'), directory, 'bundles'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', chunk => {
      out += chunk;
      const line = /\{"port":(\d+)\}/.exec(out);
      if (line) resolve(Number(line[1]));
    });
    child.once('exit', code => reject(new Error(`The S3 server exited with ${code} while starting: ${out}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise(resolve => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
