import {
  AgentsDatabase,
  AgentsRuntime,
  applyAgentsNamespace,
  ConfigPolicyResolver,
  createRouter,
  SessionAuthorizer,
  SessionEventHub,
  SessionService,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { startKubeSim } from '@backstage-agents/kube-sim';
import { Watch } from '@kubernetes/client-node';
import express from 'express';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sqlite } from '../databases';
import { silentLogger } from '../silentLogger';
import { fmt, summarize, timed } from '../stats';
import type { Row } from '../table';

const run = promisify(execFile);

/**
 * Backend overhead from `POST /sessions` to the pod existing in the API server (seen by a watch), at
 * 1 and 50 concurrent requests, beside `kubectl create -f` of the same pod against the same simulator.
 * No kubelet runs, so only creation is measured. Then a fan-out of 200 sessions at once under a
 * policy capped at 200 (time until every pod exists) and under a cap of 50 (how many start).
 */
const FAN_OUT = 200;
const CAP = 50;

export async function launchCase(): Promise<Row[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-launch-'));
  const kubeconfigPath = path.join(dir, 'kubeconfig');
  const sim = await startKubeSim({ kubeconfigPath });
  await applyAgentsNamespace(sim.kubeConfig, path.resolve(__dirname, '../../deploy/kustomize/base'));
  const db = await sqlite();
  const logger = silentLogger;
  const hub = new SessionEventHub();
  const agents = await AgentsDatabase.create({
    database: { getClient: async () => db.knex },
    onStatusChanges: changes => hub.publishStatus(...changes),
  });
  const runtime = new AgentsRuntime({
    settings: {
      kubeConfig: sim.kubeConfig,
      namespace: 'agents',
      defaultImage: 'ghcr.io/backstage-agents/harness:bench',
      finishedPodTtlMs: 60_000,
      resyncIntervalMs: 30_000,
      leaseMs: 60_000,
    },
    db: agents,
    hub,
    logger,
    harnessProviders: new Map(),
    apiUrl: 'http://localhost:7007/api/agents',
  });
  const sessions = new SessionService({
    store: agents.sessions,
    transitions: agents.transitions,
    catalog: catalogServiceMock({
      entities: [
        ...['payments', 'ledger', 'billing'].map(name => ({
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name, namespace: 'default', annotations: { 'github.com/project-slug': `org/${name}` } },
          spec: { owner: 'team-a' },
        })),
      ],
    }),
    // Fan-outs run under policies with concurrency caps, so their launches pass the gate.
    policyResolver: ConfigPolicyResolver.fromConfig(
      new ConfigReader({
        agents: {
          policies: {
            fanout: { maxConcurrentGlobal: FAN_OUT, maxConcurrentPerEntity: FAN_OUT },
            capped: { maxConcurrentGlobal: CAP },
          },
          templatePolicies: [
            { template: 'template:default/fanout', policy: 'fanout' },
            { template: 'template:default/capped', policy: 'capped' },
          ],
        },
      }),
    ),
    authorizer: new SessionAuthorizer(
      mockServices.permissions({ result: AuthorizeResult.ALLOW } as any),
      {} as any,
    ),
    workBranchPrefix: 'agents/',
    repoUrlRewrites: [],
    runtime,
  });
  const router = await createRouter({
    sessions,
    db: agents,
    hub,
    httpAuth: mockServices.httpAuth(),
    auditor: { createEvent: async () => ({ success: async () => {}, fail: async () => {} }) },
    logger,
    config: new ConfigReader({}),
  });
  const server = express().use(router).listen(0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sessions`;

  // When each session's pod appeared, by session id.
  const seen = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const watch = await new Watch(sim.kubeConfig).watch(
    '/api/v1/namespaces/agents/pods',
    {},
    (type, pod) => {
      const id = pod.metadata?.labels?.['agents.backstage.io/session'];
      if (type === 'ADDED' && id) {
        seen.set(id, performance.now());
        waiters.get(id)?.();
      }
    },
    () => undefined,
  );

  const create = (body: object) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const launchOne = async (templateRef?: string, entityRef = 'payments', extra: object = {}) => {
    const start = performance.now();
    const res = await create({ entityRef, prompt: 'Benchmark', templateRef, ...extra });
    const { id } = await res.json();
    if (!seen.has(id)) await new Promise<void>(resolve => waiters.set(id, resolve));
    return seen.get(id)! - start;
  };

  const rows: Row[] = [];
  try {
    for (let i = 0; i < 10; i++) await launchOne(); // warm-up
    const sequential: number[] = [];
    for (let i = 0; i < 100; i++) sequential.push(await launchOne());
    const concurrent: number[] = [];
    for (let batch = 0; batch < 4; batch++) {
      concurrent.push(...(await Promise.all(Array.from({ length: 50 }, () => launchOne()))));
    }

    // A spec-kit fan-out as agents:speckit:implement makes it: a fan-out session, then FAN_OUT task
    // sessions under it, each on its own branch, requested at once under a cap of FAN_OUT.
    const fanOutStart = performance.now();
    // Its own entity: the sessions above never finish (no kubelet) and would fill a per-entity cap.
    const templateRef = 'template:default/fanout';
    const parent = await (await create({ entityRef: 'ledger', prompt: 'Implement 001-bench', kind: 'fanout', templateRef })).json();
    await Promise.all(
      Array.from({ length: FAN_OUT }, (_, i) =>
        launchOne(templateRef, 'ledger', {
          parentSessionId: parent.id,
          origin: 'speckit',
          taskId: `T${i}`,
          workBranch: `specs/001-bench/T${i}-async`,
        }),
      ),
    );
    const fanOutMs = performance.now() - fanOutStart;
    const children = (await agents.sessions.getSession(parent.id))?.children?.total;
    if (children !== FAN_OUT) throw new Error(`The fan-out holds ${children} sessions, not ${FAN_OUT}`);

    // The same burst under a cap of CAP: only CAP pods may appear; the rest stay queued (no kubelet
    // runs here, so no slot ever frees).
    const before = seen.size;
    const capped = await Promise.all(
      Array.from({ length: FAN_OUT }, async () => {
        const res = await create({ entityRef: 'billing', prompt: 'Benchmark', templateRef: 'template:default/capped' });
        return (await res.json()).id as string;
      }),
    );
    await new Promise(resolve => setTimeout(resolve, 2000));
    const cappedStarted = capped.filter(id => seen.has(id)).length;
    if (seen.size - before !== cappedStarted) throw new Error('Unexpected pods during the capped fan-out');

    const kubectl: number[] = [];
    const podFile = path.join(dir, 'pod.yaml');
    for (let i = 0; i < 20; i++) {
      fs.writeFileSync(
        podFile,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `kubectl-bench-${i}`, namespace: 'agents' },
          // The least a pod needs to be admitted in the restricted agents namespace.
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'harness',
                image: 'ghcr.io/backstage-agents/harness:bench',
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        }),
      );
      const [ms] = await timed(() => run('kubectl', ['--kubeconfig', kubeconfigPath, 'create', '-f', podFile]));
      kubectl.push(ms);
    }

    const s = summarize(sequential);
    const c = summarize(concurrent);
    const k = summarize(kubectl);
    rows.push(
      { measure: 'POST /sessions → pod created, 1 at a time (100)', 'p50 ms': fmt(s.p50), 'p99 ms': fmt(s.p99), 'kubectl p50 ÷ p50': (k.p50 / s.p50).toFixed(1) },
      { measure: 'POST /sessions → pod created, 50 concurrent (200)', 'p50 ms': fmt(c.p50), 'p99 ms': fmt(c.p99), 'kubectl p50 ÷ p50': (k.p50 / c.p50).toFixed(1) },
      { measure: 'kubectl create -f, one pod (20)', 'p50 ms': fmt(k.p50), 'p99 ms': fmt(k.p99), 'kubectl p50 ÷ p50': '1.0' },
      { measure: `fan-out: ${FAN_OUT} sessions at once, cap ${FAN_OUT} → every pod created (target ≤ 2 s)`, 'p50 ms': `${fmt(fanOutMs)} total`, 'p99 ms': '', 'kubectl p50 ÷ p50': '' },
      { measure: `fan-out: ${FAN_OUT} sessions at once, cap ${CAP} → pods started`, 'p50 ms': `${cappedStarted} of ${FAN_OUT}`, 'p99 ms': '', 'kubectl p50 ÷ p50': '' },
    );
  } finally {
    watch.abort();
    server.close();
    await db.dispose();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
