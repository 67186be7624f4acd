import {
  AgentsDatabase,
  AgentsRuntime,
  applyAgentsNamespace,
  ConfigPolicyResolver,
  createRouter,
  SessionAuthorizer,
  SessionEventHub,
  SessionService,
  SoleLease,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader, type JsonObject } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { postgres, type BenchDatabase } from '../databases';
import { silentLogger } from '../silentLogger';
import type { ApiAccess } from './forkClient';
import { startSimProcess, type SimProcess } from './simProcess';

type StatusChanges = Parameters<SessionEventHub['publishStatus']>;

export interface BenchBackend {
  sim: SimProcess;
  db: BenchDatabase;
  agents: AgentsDatabase;
  /** `POST` here to start a session. */
  sessionsUrl: string;
  /** How the bench's client processes reach the simulator. */
  api: ApiAccess;
  /** Hears every status the database committed, as it is committed. */
  onStatusChanges(listener: (...changes: StatusChanges) => void): void;
  stop(): Promise<void>;
}

/**
 * The agents backend as the plugin assembles it (router, session service, runtime with its
 * reconciler) on PostgreSQL, in this process, against kube-sim in its own process without a kubelet.
 * Components `payments`, `orders`, `ledger` and `billing` are in the catalog; `policies` and
 * `templatePolicies` are the `agents` config of the same names.
 */
export async function startBenchBackend(options: {
  policies: JsonObject;
  templatePolicies: Array<{ template: string; policy: string }>;
}): Promise<BenchBackend> {
  const sim = await startSimProcess();
  const db = await postgres();
  if (!db) {
    await sim.stop();
    throw new Error('This case needs PostgreSQL (BENCH_POSTGRES_URL)');
  }
  await applyAgentsNamespace(sim.kubeConfig, path.resolve(__dirname, '../../deploy/kustomize/base'));
  const hub = new SessionEventHub();
  const listeners: Array<(...changes: StatusChanges) => void> = [];
  const agents = await AgentsDatabase.create({
    database: { getClient: async () => db.knex } as any,
    onStatusChanges: changes => {
      hub.publishStatus(...changes);
      for (const listener of listeners) listener(...changes);
    },
  });
  const runtime = new AgentsRuntime({
    settings: {
      kubeConfig: sim.kubeConfig,
      namespace: 'agents',
      defaultImage: 'ghcr.io/backstage-agents/harness:bench',
      finishedPodTtlMs: 60_000,
      resyncIntervalMs: 300_000,
      leaseMs: 3_600_000,
    },
    db: agents,
    hub,
    logger: silentLogger,
    harnessProviders: new Map(),
    apiUrl: 'http://localhost:7007/api/agents',
  });
  const sessions = new SessionService({
    store: agents.sessions,
    transitions: agents.transitions,
    catalog: catalogServiceMock({
      entities: ['payments', 'orders', 'ledger', 'billing'].map(name => ({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name, namespace: 'default', annotations: { 'github.com/project-slug': `org/${name}` } },
        spec: { owner: 'team-a' },
      })),
    }),
    policyResolver: ConfigPolicyResolver.fromConfig(
      new ConfigReader({ agents: { policies: options.policies, templatePolicies: options.templatePolicies } }),
    ),
    authorizer: new SessionAuthorizer(mockServices.permissions({ result: AuthorizeResult.ALLOW } as any), {} as any),
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
    logger: silentLogger,
    config: new ConfigReader({}),
  } as any);
  const server: Server = express().use(router).listen(0);
  await new Promise(resolve => server.once('listening', resolve));
  // The reconciler runs as in production: it watches every launched pod while the launches go on.
  const lease = new SoleLease();
  runtime.start(lease);

  const cluster = sim.kubeConfig.getCurrentCluster()!;
  const user = sim.kubeConfig.getCurrentUser();
  return {
    sim,
    db,
    agents,
    sessionsUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sessions`,
    api: {
      server: cluster.server,
      ca: cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : undefined,
      token: user?.token,
    },
    onStatusChanges: listener => listeners.push(listener),
    async stop() {
      await lease.stop();
      const closed = new Promise(resolve => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await db.dispose();
      await sim.stop();
    },
  };
}
