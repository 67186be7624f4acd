import {
  mockCredentials,
  mockServices,
  startTestBackend,
  type TestDatabases,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  generateAppKeyPair,
  startFakeGitHub,
  type FakeGitHub,
} from '@backstage-agents/fake-github';
import agentsPlugin from '@backstage-agents/plugin-agents-backend';
import knexFactory, { type Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startSimulatedCluster,
  type SimulatedCluster,
} from './simulatedCluster';
import { startTcpProxy, type TcpProxy } from './tcpProxy';

const REPO_ROOT = path.resolve(__dirname, '../../../..');
/** The image the pods are given; the simulator's kubelet runs the real harness entrypoint for it. */
const IMAGE = 'ghcr.io/backstage-agents/harness:test';
const ENTRYPOINT = path.join(REPO_ROOT, 'images/harness/entrypoint/main.js');
const OWNER = 'example-org';
const APP_ID = 4242;

/** The user the fixture's token authenticates as. */
export const REAL_BACKEND_USER = 'user:default/jane';

export type RealBackendOptions = {
  /**
   * Where the backend's database lives. With `POSTGRES_15` it comes from `databases` (create it with
   * `TestDatabases.create` at the top of the test file: it registers its own cleanup); `SQLITE_3`
   * is a file in the fixture's directory. Default: PostgreSQL when `databases` supports it.
   */
  databases?: TestDatabases;
  database?: 'POSTGRES_15' | 'SQLITE_3';
  /** Repositories created in the fake GitHub, each with a component of the same name. Default `payments`. */
  repos?: string[];
  /** More catalog entities, besides the components of `repos`. */
  entities?: Entity[];
  /** Merged over the fixture's configuration (objects merge, anything else replaces). */
  config?: Record<string, unknown>;
  /** More backend features or service factories (e.g. a permission policy replacing ALLOW). */
  features?: any[];
  /** The local port of `url`; default a free one, kept across restarts. */
  port?: number;
};

export type RealBackend = {
  /** The backend's URL, the same across restarts (for `--backend` / `BACKSTAGE_URL`). */
  url: string;
  /** A token the backend accepts, for `--token` / `BACKSTAGE_TOKEN`: a user token of `user`. */
  token: string;
  user: string;
  /** A token for another user (the mock auth accepts any `user:` ref). */
  tokenFor(userEntityRef: string): string;
  /** The entity refs of the components, by repository name. */
  entityRef(repo?: string): string;
  github: FakeGitHub;
  /** The bare repository of `repo` in the fake GitHub's directory, for git commands in tests. */
  bareRepoPath(repo?: string): string;
  cluster: SimulatedCluster;
  /** The database, shared by every instance of the backend. */
  knex: Knex;
  database: 'POSTGRES_15' | 'SQLITE_3';
  /** Instances started so far (1 before any restart). */
  readonly instances: number;
  /** The last restart: when the old instance's connections were cut, and when the new one served. */
  readonly lastRestart?: { stoppedAt: number; startedAt: number };
  /**
   * Stops the current backend as a restart does, open streams included (their connections are cut),
   * and starts a fresh instance on the same database, cluster and URL. While it is down, connections
   * to `url` are refused.
   */
  restart(options?: { downtimeMs?: number }): Promise<void>;
  /** Stops the backend, the cluster and the fake GitHub. */
  stop(): Promise<void>;
};

type Instance = Awaited<ReturnType<typeof startTestBackend>>;

function merge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const isObject = (v: unknown): v is Record<string, unknown> =>
      typeof v === 'object' && v !== null && !Array.isArray(v);
    out[key] =
      isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

const component = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'github.com/project-slug': `${OWNER}/${name}` },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

async function openDatabase(
  options: RealBackendOptions,
  dir: string,
): Promise<{
  knex: Knex;
  id: 'POSTGRES_15' | 'SQLITE_3';
  close(): Promise<void>;
}> {
  const id =
    options.database ??
    (options.databases?.supports('POSTGRES_15') ? 'POSTGRES_15' : 'SQLITE_3');
  if (id === 'POSTGRES_15') {
    if (!options.databases?.supports('POSTGRES_15')) {
      throw new Error(
        'PostgreSQL needs `databases` (TestDatabases) and BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
      );
    }
    // TestDatabases drops it after the file's tests.
    const knex = await options.databases.init('POSTGRES_15');
    return { knex, id, close: async () => {} };
  }
  // A file, not :memory:, so the data outlives any connection.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'agents.sqlite') },
    useNullAsDefault: true,
  });
  return { knex, id, close: () => knex.destroy() };
}

/**
 * The real agents backend plugin in a test backend, with a mock catalog whose components' repositories
 * live in a fake GitHub (with a GitHub App the backend mints repository tokens from), and the cluster
 * simulator running the real harness entrypoint with the `demo` agent as pods. It is reached through a
 * local proxy whose port stays the same across `restart()`, and the pods reach it there too.
 * Auth is Backstage's mock auth: `token` (a mock user token) is required, a request without one is
 * refused with 401. Usage:
 *
 * ```ts
 * const databases = TestDatabases.create({ ids: ['POSTGRES_15'], disableDocker: true }); // top level
 * let backend: RealBackend;
 * beforeAll(async () => { backend = await startRealBackend({ databases, repos: ['payments'] }); });
 * afterAll(() => backend?.stop());
 *
 * const { code, stdout } = await runCli(['launch', backend.entityRef(), 'Fix it', '--wait'],
 *   { url: backend.url, token: backend.token });
 * // backend.github: the fake GitHub (pulls, tokens); backend.bareRepoPath('payments'): git -C it;
 * // backend.restart(): a new instance on the same database, cluster and URL.
 * ```
 *
 * The demo agent's prompt markers: `[stub:fail]`, `[stub:slow]` (until cancelled),
 * `[stub:lines=N]` (N numbered lines 60 ms apart); see images/harness/entrypoint/demo-agent.js.
 */
export async function startRealBackend(
  options: RealBackendOptions = {},
): Promise<RealBackend> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-cli-backend-'));
  // What has started, stopped in reverse order, also when a later part fails to start.
  const cleanups: Array<() => Promise<void>> = [
    async () => fs.rmSync(dir, { recursive: true, force: true }),
  ];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    return await assemble(options, dir, cleanups, cleanUp);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function assemble(
  options: RealBackendOptions,
  dir: string,
  cleanups: Array<() => Promise<void>>,
  cleanUp: () => Promise<void>,
): Promise<RealBackend> {
  const repos = options.repos ?? ['payments'];
  const key = generateAppKeyPair();
  const github = await startFakeGitHub({
    reposDir: path.join(dir, 'github'),
    apps: [
      {
        appId: APP_ID,
        privateKeyPem: key.privateKeyPem,
        installations: [{ id: 77, account: OWNER, repositories: 'all' }],
      },
    ],
  });
  cleanups.push(() => github.stop());
  const created = new Map<string, string>();
  for (const name of repos) {
    created.set(name, (await github.createRepo(OWNER, name)).dir);
  }
  const cluster = await startSimulatedCluster({
    images: { [IMAGE]: [process.execPath, ENTRYPOINT] },
    repoRoot: REPO_ROOT,
  });
  cleanups.push(() => cluster.stop());
  const db = await openDatabase(options, dir);
  cleanups.push(() => db.close());
  const proxy: TcpProxy = await startTcpProxy(options.port);
  cleanups.push(() => proxy.close());
  const url = `http://127.0.0.1:${proxy.port}`;
  const githubHost = `127.0.0.1:${github.port}`;

  const config = merge(
    {
      app: { baseUrl: 'https://backstage.example.com' },
      integrations: {
        github: [
          {
            host: githubHost,
            apiBaseUrl: github.enterpriseApiUrl,
            apps: [
              {
                appId: APP_ID,
                privateKey: key.privateKeyPem,
                clientId: 'c',
                clientSecret: 's',
                webhookSecret: 'w',
              },
            ],
          },
        ],
      },
      agents: {
        kubernetes: {
          kubeconfig: cluster.kubeconfigPath,
          namespace: 'agents',
          defaultImage: IMAGE,
          resyncInterval: { seconds: 2 },
          finishedPodTtl: { seconds: 0 },
          // Pods call back through the proxy, so a pod outliving one instance reaches the next.
          backendUrl: `${url}/api/agents`,
        },
        git: {
          rewrites: [
            {
              from: `https://github.com/${OWNER}/`,
              to: `http://${githubHost}/${OWNER}/`,
            },
          ],
        },
        harnesses: { demo: { enabled: true } },
        policies: {
          default: {
            allowedHarnesses: ['demo'],
            defaultHarness: 'demo',
            timeout: { seconds: 90 },
          },
        },
      },
    },
    options.config ?? {},
  );

  const startInstance = () =>
    startTestBackend({
      features: [
        agentsPlugin,
        // The real scheduler: the reconciler's lease is a database row, handed over on restart.
        schedulerServiceFactory,
        mockServices.database.factory({ knex: db.knex }),
        mockServices.rootConfig.factory({ data: config as any }),
        // No token, no credentials: the Authorization header is what decides.
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        catalogServiceMock.factory({
          entities: [...repos.map(component), ...(options.entities ?? [])],
        }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
        ...(options.features ?? []),
      ],
    });

  let current: Instance | undefined;
  const stopCurrent = async () => {
    const instance = current;
    current = undefined;
    proxy.setUpstream(undefined);
    if (!instance) return;
    // A stopping backend's open connections die with it; an open log stream would otherwise hold
    // the HTTP server's close forever.
    instance.server.closeAllConnections();
    proxy.dropAll();
    await instance.stop();
  };
  cleanups.push(stopCurrent);
  current = await startInstance();
  let instances = 1;
  let lastRestart: RealBackend['lastRestart'];
  proxy.setUpstream(current.server.port());

  return {
    url,
    token: mockCredentials.user.token(REAL_BACKEND_USER),
    user: REAL_BACKEND_USER,
    tokenFor: ref => mockCredentials.user.token(ref),
    entityRef: (repo = repos[0]) => `component:default/${repo}`,
    github,
    bareRepoPath: (repo = repos[0]) => {
      const bare = created.get(repo);
      if (!bare) throw new Error(`No repository ${repo} in the fixture`);
      return bare;
    },
    cluster,
    knex: db.knex,
    database: db.id,
    get instances() {
      return instances;
    },
    get lastRestart() {
      return lastRestart;
    },
    async restart({ downtimeMs = 0 } = {}) {
      const stoppedAt = Date.now();
      await stopCurrent();
      if (downtimeMs > 0) await new Promise(r => setTimeout(r, downtimeMs));
      current = await startInstance();
      instances++;
      proxy.setUpstream(current.server.port());
      lastRestart = { stoppedAt, startedAt: Date.now() };
    },
    stop: cleanUp,
  };
}
