/**
 * `yarn chaos`: two real backend replicas on one PostgreSQL database, the cluster simulator in its own
 * process running the demo harness, a load of sessions launched with idempotency keys, and faults
 * meanwhile: kill -9 of the replica holding the reconciler lease, Kubernetes API faults, a PostgreSQL
 * restart. Prints the figures that must be zero (nothing lost, duplicated, stuck or left behind) and
 * the time to re-adopt runs after a kill; exits non-zero when a must-be-zero figure is not zero.
 * Settings: reliability/chaos/settings.ts (CHAOS_* variables).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentsClient, type Launch } from './agentsClient';
import { writeReplicaConfig } from './chaosConfig';
import { startCluster } from './cluster';
import { ChaosDatabase, restartPostgres } from './database';
import { API_FAULTS } from './faultSchedule';
import { failing, formatFigures, type Figure } from './figures';
import { freePort } from './freePort';
import { runKills, type Kill } from './killSchedule';
import { launchSessions } from './load';
import { startLoadBalancer } from './loadBalancer';
import { leftovers, PodWatch } from './podWatch';
import { stopAllGroups } from './processGroup';
import { Replica } from './replica';
import { readSettings } from './settings';
import { quantile, seconds } from './stats';
import { sleep, waitFor } from './waitFor';

const TERMINAL = ['succeeded', 'failed', 'cancelled', 'timed_out'];
const PROGRESS_LINE = /Progress line (\d+) of (\d+)/;

async function main(): Promise<number> {
  const settings = readSettings();
  const startedAt = Date.now();
  const log = (message: string) =>
    console.log(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${message}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-chaos-'));
  const db = new ChaosDatabase();
  const token = randomBytes(24).toString('base64url');
  const client = new AgentsClient(token);
  let balancer: { close(): Promise<void> } | undefined;
  let podWatch: PodWatch | undefined;

  let cleaning: Promise<void> | undefined;
  // A run that fails keeps its logs and database, whatever CHAOS_KEEP says.
  let passed = false;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await podWatch?.stop();
      await balancer?.close();
      await stopAllGroups();
      if (settings.keepWorkDir || !passed) {
        log(`kept ${dir} and database ${db.name}: drop it with dropdb -h 127.0.0.1 -U postgres ${db.name}`);
        await db.close();
      } else {
        await db.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping everything`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  try {
    log(`work directory ${dir}; database ${db.name}; settings ${JSON.stringify(settings)}`);
    await db.create();
    const cluster = await startCluster(dir);
    log('cluster simulator and fake GitHub ready');

    const ports = [await freePort(), await freePort()];
    // As a Service with a readiness probe: a starting replica answers 404 for plugins not yet up.
    let replicas: Replica[] = [];
    const lb = await startLoadBalancer(() => {
      const ready = replicas.filter(r => r.ready).map(r => r.port);
      return ready.length > 0 ? ready : ports;
    });
    balancer = lb;
    const env = {
      ...cluster.kubeEnv,
      AGENTS_DATA_DIR: dir,
      AGENTS_GITHUB_PORT: String(cluster.githubPort),
      AGENTS_GITHUB_APP_KEY: cluster.githubAppKey,
    };
    replicas = ['replica-a', 'replica-b'].map(
      (name, i) =>
        new Replica(name, ports[i], {
          configFiles: [
            path.resolve(__dirname, '../../app-config.yaml'),
            writeReplicaConfig(name, {
              dir,
              port: ports[i],
              databaseName: db.name,
              kubeconfigPath: cluster.kubeconfigPath,
              backendUrl: `http://127.0.0.1:${lb.port}/api/agents`,
              token,
              maxConcurrent: settings.maxConcurrentPods,
              finishedPodTtlSeconds: settings.finishedPodTtlSeconds,
              leaseSeconds: settings.leaseSeconds,
              resyncSeconds: settings.resyncSeconds,
            }),
          ],
          env,
          logDir: dir,
          token,
          log,
        }),
    );
    // The first replica migrates the database alone; then the second starts.
    await replicas[0].start();
    await replicas[1].start();
    log(`replicas serving on ${ports.join(' and ')}; load balancer for the pods on ${lb.port}`);
    await waitFor(
      'the catalog to hold the example components',
      async () => {
        const res = await fetch(`${replicas[0].url}/api/catalog/entities/by-name/component/default/web-storefront`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return res.ok ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    log('catalog ready');

    podWatch = new PodWatch(cluster.kubeConfig);
    // As clients behind a Service reach them: only ready replicas (a starting one answers 404 for
    // plugins not yet up); when none is ready, any, so that the launch fails and is retried.
    const urls = () => {
      const ready = replicas.filter(r => r.ready);
      return (ready.length > 0 ? ready : replicas).map(r => r.url);
    };
    const tag = `chaos-${randomBytes(4).toString('hex')}`;
    const chaosOver = new AbortController();
    let launched = 0;

    const loadStarted = Date.now();
    const loading = launchSessions({
      client,
      urls,
      count: settings.sessions,
      windowMs: settings.launchWindowMs,
      inFlight: settings.inFlightLaunches,
      minMs: settings.minSessionMs,
      maxMs: settings.maxSessionMs,
      tag,
      deadline: loadStarted + settings.launchWindowMs + 300_000,
      onLaunched: () => {
        launched += 1;
        if (launched % 100 === 0) log(`${launched} launches answered`);
      },
    });
    const killing = runKills({
      replicas,
      db: db.agents,
      count: settings.kills,
      intervalMs: settings.killIntervalMs,
      leaseMs: settings.leaseSeconds * 1000,
      log,
    });
    const faultLog: string[] = [];
    const faulting = (async () => {
      for (let i = 0; !chaosOver.signal.aborted; i++) {
        await sleep(settings.faultIntervalMs, chaosOver.signal);
        if (chaosOver.signal.aborted) break;
        const fault = API_FAULTS[i % API_FAULTS.length];
        const answer = await cluster.injectFault(fault.body).catch(error => ({ error: String(error) }));
        faultLog.push(fault.name);
        log(`fault: ${fault.name} ${JSON.stringify(answer)}`);
      }
    })();
    let pgRestartedAt: number | undefined;
    const pgRestarting = (async () => {
      if (!settings.pgRestart) return;
      await sleep(settings.launchWindowMs / 2);
      log('restarting PostgreSQL');
      pgRestartedAt = Date.now();
      restartPostgres();
      log(`PostgreSQL back after ${((Date.now() - pgRestartedAt) / 1000).toFixed(1)} s`);
    })();

    const launches: Launch[] = await loading;
    log(`all ${launches.length} launches answered in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s`);
    const kills: Kill[] = await killing;
    await pgRestarting;
    chaosOver.abort();
    await faulting;
    await cluster.injectFault({ reset: true });
    log('chaos over; draining');

    // Every session reaches a terminal status. The drain lasts while sessions keep finishing: on a
    // small machine the harness pods get through about half a session a second, so the queue can
    // take many minutes; a session still unfinished when none has finished for CHAOS_STALL_S (or at
    // the CHAOS_DRAIN_S cap) is stuck.
    const drainStarted = Date.now();
    let unfinished: Array<{ id: string; status: string }> = [];
    let lastProgressAt = Date.now();
    for (let before = Infinity; ; before = unfinished.length) {
      unfinished = await retryDb(() => db.agents('agents_sessions').whereNotIn('status', TERMINAL).select('id', 'status'));
      if (unfinished.length < before) lastProgressAt = Date.now();
      if (unfinished.length === 0) break;
      if (Date.now() - lastProgressAt > settings.stallMs || Date.now() - drainStarted > settings.drainTimeoutMs) break;
      await sleep(2_000);
    }
    log(`drained in ${((Date.now() - drainStarted) / 1000).toFixed(1)} s; ${unfinished.length} unfinished`);

    // Pods and secrets are gone once their TTL and a resync have passed.
    const gcWindowMs = (settings.finishedPodTtlSeconds + 2 * settings.resyncSeconds + settings.leaseSeconds + 10) * 1000;
    const gcDeadline = Date.now() + gcWindowMs;
    let left = await leftovers(cluster.kubeConfig);
    while ((left.pods.length || left.secrets.length) && Date.now() < gcDeadline) {
      await sleep(2_000);
      left = await leftovers(cluster.kubeConfig);
    }
    log(`leftovers: ${left.pods.length} pods, ${left.secrets.length} secrets`);
    await podWatch.stop();

    const figures = await collectFigures({ db, client, urls, launches, kills, unfinished, left, podWatch, log });
    const totalMs = Date.now() - startedAt;
    figures.push({ name: 'API faults injected', value: faultLog.length, mustBeZero: false });
    figures.push({ name: 'PostgreSQL restarts', value: pgRestartedAt ? 1 : 0, mustBeZero: false });
    figures.push({ name: 'total time', value: seconds(totalMs), mustBeZero: false });
    console.log(`\n## Chaos run: ${settings.sessions} sessions, ${kills.length} kills\n`);
    console.log(formatFigures(figures));
    const bad = failing(figures);
    if (bad.length > 0) {
      console.log(`\nFAILED: ${bad.map(f => f.name).join('; ')} (logs in ${dir})`);
      return 1;
    }
    console.log('\nOK: every must-be-zero figure is zero');
    passed = true;
    return 0;
  } finally {
    log('stopping');
    await cleanup();
  }
}

/** Retries a query while PostgreSQL restarts. */
async function retryDb<T>(query: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await query();
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}

async function collectFigures(ctx: {
  db: ChaosDatabase;
  client: AgentsClient;
  urls: () => string[];
  launches: Launch[];
  kills: Kill[];
  unfinished: Array<{ id: string; status: string }>;
  left: { pods: string[]; secrets: string[] };
  podWatch: PodWatch;
  log: (message: string) => void;
}): Promise<Figure[]> {
  const { db, launches, kills } = ctx;
  const sessions: Array<{ id: string; idempotency_key: string | null; status: string }> = await retryDb(() =>
    db.agents('agents_sessions').select('id', 'idempotency_key', 'status'),
  );
  const byKey = new Map<string, string[]>();
  for (const s of sessions) {
    if (!s.idempotency_key) continue;
    byKey.set(s.idempotency_key, [...(byKey.get(s.idempotency_key) ?? []), s.id]);
  }
  const byId = new Map(sessions.map(s => [s.id, s]));

  // Lost: acknowledged (2xx) but not stored under its key, or never acknowledged and not stored.
  const lost = launches.filter(l =>
    l.sessionId ? byId.get(l.sessionId)?.idempotency_key !== l.key : !byKey.has(l.key),
  );
  const refused = launches.filter(l => !l.sessionId);
  const twice = [...byKey].filter(([, ids]) => ids.length > 1);
  const runs: Array<{ session_id: string; n: string }> = await retryDb(() =>
    db.agents('agents_runs').groupBy('session_id').select('session_id').count({ n: '*' }),
  );
  const relaunched = runs.filter(r => Number(r.n) > 1);
  const doublePods = ctx.podWatch.runsWithSeveralPods();

  const failedRows: Array<{ session_id: string; reason: string | null }> = await retryDb(() =>
    db
      .agents('agents_runs')
      .join('agents_sessions', 'agents_sessions.id', 'agents_runs.session_id')
      .whereNot('agents_sessions.status', 'succeeded')
      .whereIn('agents_sessions.status', TERMINAL)
      .select('agents_runs.session_id', 'agents_runs.reason'),
  );

  // Logs: every succeeded session's persisted log, read through the API, holds its N numbered lines once.
  const linesOf = new Map(launches.filter(l => l.sessionId).map(l => [l.sessionId!, l.lines]));
  const succeeded = sessions.filter(s => s.status === 'succeeded' && linesOf.has(s.id));
  const logMismatches: string[] = [];
  const seqGaps: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, worker) => {
      for (let i = next++; i < succeeded.length; i = next++) {
        const session = succeeded[i];
        const url = ctx.urls()[(i + worker) % ctx.urls().length];
        try {
          const { lines, seqs } = await ctx.client.readLog(url, session.id);
          const numbered = lines.map(l => PROGRESS_LINE.exec(l)).filter(Boolean) as RegExpExecArray[];
          const expected = linesOf.get(session.id)!;
          const distinct = new Set(numbered.map(m => m[1]));
          if (numbered.length !== expected || distinct.size !== expected) {
            logMismatches.push(`${session.id} (${numbered.length} lines, ${distinct.size} distinct, expected ${expected})`);
          }
          if (seqs.some((seq, j) => seq !== j + 1)) seqGaps.push(session.id);
        } catch (error) {
          logMismatches.push(`${session.id} (unreadable: ${error})`);
        }
      }
    }),
  );

  const readoptions = kills.filter(k => k.heldLease).flatMap(k => k.readoptions);
  const fromKill = readoptions.filter(r => r.resumedAt).map(r => r.resumedAt! - r.killedAt);
  const takeovers = new Map(kills.map(k => [k.killedAt, k.takeoverAt]));
  const fromTakeover = readoptions
    .filter(r => r.resumedAt && takeovers.get(r.killedAt))
    .map(r => Math.max(0, r.resumedAt! - takeovers.get(r.killedAt)!));
  const neverResumed = readoptions.filter(r => !r.resumedAt);

  return [
    { name: 'sessions launched (2xx)', value: launches.length - refused.length, mustBeZero: false },
    { name: 'launch requests retried', value: launches.filter(l => l.attempts > 1).length, mustBeZero: false },
    { name: 'launches refused or given up', value: refused.length, mustBeZero: true, examples: refused.map(l => `${l.key}: ${l.status} ${l.error}`) },
    { name: 'sessions lost', value: lost.length, mustBeZero: true, examples: lost.map(l => l.key) },
    { name: 'sessions launched twice (one key)', value: twice.length, mustBeZero: true, examples: twice.map(([k]) => k) },
    { name: 'sessions with more than one run', value: relaunched.length, mustBeZero: true, examples: relaunched.map(r => r.session_id) },
    { name: 'runs whose pod was created twice', value: doublePods.length, mustBeZero: true, examples: doublePods },
    { name: 'sessions not succeeded', value: failedRows.length, mustBeZero: true, examples: failedRows.map(r => `${r.session_id}: ${r.reason}`) },
    { name: 'sessions stuck unfinished', value: ctx.unfinished.length, mustBeZero: true, examples: ctx.unfinished.map(s => `${s.id} ${s.status}`) },
    { name: 'logs with a wrong line count', value: logMismatches.length, mustBeZero: true, examples: logMismatches },
    { name: 'logs with a seq gap or repeat', value: seqGaps.length, mustBeZero: true, examples: seqGaps },
    { name: 'pods left behind', value: ctx.left.pods.length, mustBeZero: true, examples: ctx.left.pods },
    { name: 'secrets left behind', value: ctx.left.secrets.length, mustBeZero: true, examples: ctx.left.secrets },
    { name: 'replica kills (of the lease holder)', value: `${kills.length} (${kills.filter(k => k.heldLease).length})`, mustBeZero: false },
    { name: 'runs running at a lease holder kill', value: readoptions.length, mustBeZero: false },
    { name: 'runs not re-adopted within the measurement', value: neverResumed.length, mustBeZero: false, examples: neverResumed.map(r => r.sessionId) },
    { name: 're-adopt after kill p50 / p99', value: `${seconds(quantile(fromKill, 0.5))} / ${seconds(quantile(fromKill, 0.99))}`, mustBeZero: false },
    { name: 're-adopt after takeover p50 / p99', value: `${seconds(quantile(fromTakeover, 0.5))} / ${seconds(quantile(fromTakeover, 0.99))}`, mustBeZero: false },
    {
      name: 'replica restart (kill to serving) p50',
      value: seconds(quantile(kills.filter(k => k.restartedAt).map(k => k.restartedAt! - k.killedAt), 0.5)),
      mustBeZero: false,
    },
  ];
}

main().then(
  code => process.exit(code),
  error => {
    console.error(error);
    process.exit(2);
  },
);
