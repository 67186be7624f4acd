import {
  createRouter,
  SessionAuthorizer,
  SessionEventHub,
  SessionService,
  type AgentsDatabase,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { agentsSessionPermissionRules } from '@backstage-agents/plugin-agents-node';
import type { PermissionsService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  type PolicyDecision,
} from '@backstage/plugin-permission-common';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { silentLogger } from '../silentLogger';

/** The entity that holds four in five of the seeded sessions, its owner, and the user the router sees. */
export const BUSY_ENTITY = 'component:default/busy';
export const BUSY_OWNER = 'group:default/team-a';
export const CALLER = 'user:default/mock';

/**
 * Seeds sessions `from + 1` to `total`, each with its first run, in PostgreSQL with `INSERT … SELECT …
 * FROM generate_series` (a million rows in seconds instead of minutes of batched inserts). Four in five
 * are on {@link BUSY_ENTITY}, the rest spread over 40 other entities. Ids are uuids derived from the
 * row number, `seq` follows creation time (spread over six months), and the newest sessions are the
 * unfinished ones, as on a live installation.
 */
export async function seedSessions(knex: Knex, total: number, from = 0): Promise<void> {
  const sixMonthsSeconds = 182 * 24 * 3600;
  // Secondary indexes are dropped and built again after the rows are in (one sorted build each
  // instead of a million scattered insertions), and the runs' foreign key is not checked row by row.
  const { rows: indexes } = await knex.raw(`
    SELECT indexname, indexdef FROM pg_indexes i
    WHERE tablename IN ('agents_sessions', 'agents_runs')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
  `);
  for (const { indexname } of indexes) await knex.raw('DROP INDEX ??', [indexname]);
  await knex.transaction(async tx => {
    await tx.raw('SET LOCAL session_replication_role = replica');
    await insertRows(tx, from, total, sixMonthsSeconds);
  });
  for (const { indexdef } of indexes) await knex.raw(indexdef);
  await knex.raw('ANALYZE agents_sessions, agents_runs');
}

async function insertRows(knex: Knex, from: number, total: number, sixMonthsSeconds: number) {
  const [{ last }] = await knex('agents_sessions').max({ last: 'seq' });
  await knex.raw(
    `
    INSERT INTO agents_sessions (
      id, kind, entity_ref, entity_owner_ref, repo_url, work_branch, harness, prompt, policy_name,
      policy_snapshot, origin, origin_ref, created_by, status, pr_url, pr_state, head_commit, summary,
      log_seq, created_at, updated_at, started_at, finished_at
    )
    SELECT
      md5('session-' || i)::uuid,
      'agent',
      e.entity_ref,
      e.owner_ref,
      'https://github.com/example-org/' || e.name,
      'agents/' || left(md5('session-' || i), 8),
      CASE WHEN i % 3 = 0 THEN 'claude-code' ELSE 'opencode' END,
      'Task ' || i || ': ' || (ARRAY[
        'Refactor the payment module and add tests for the refund flow.',
        'Fix the flaky integration test in the checkout service; it times out on CI.',
        'Upgrade the service to Node 22 and fix the deprecation warnings.',
        'Add structured logging to the order pipeline and remove console.log calls.',
        'Investigate the memory leak reported in issue 1234 and add a regression test.'
      ])[1 + i % 5] || E'\\n\\n' || repeat('Context: follow the repository conventions, keep the public API unchanged, run the linters. ', 2 + i % 12),
      'default',
      '{"timeoutSeconds":3600,"allowedHarnesses":["opencode","claude-code"]}',
      CASE WHEN i % 7 = 0 THEN 'scaffolder' ELSE 'api' END,
      CASE WHEN i % 7 = 0 THEN '{"templateRef":"template:default/fix-issue"}' END,
      'user:default/user-' || (i % 13),
      s.status,
      CASE WHEN s.status = 'succeeded' AND i % 2 = 0 THEN 'https://github.com/example-org/' || e.name || '/pull/' || i END,
      CASE WHEN s.status = 'succeeded' AND i % 2 = 0 THEN (ARRAY['open', 'merged', 'closed'])[1 + i % 3] END,
      CASE WHEN s.status = 'succeeded' THEN md5('commit-' || i) END,
      CASE WHEN s.status = 'succeeded' THEN 'Refactored the module; added 12 tests; all checks pass.' END,
      100 + i % 900,
      t.at,
      t.at,
      CASE WHEN s.status <> 'pending' THEN t.at END,
      CASE WHEN s.status NOT IN ('pending', 'starting', 'running') THEN t.at END
    FROM generate_series(:from::int + 1, :total::int) AS i
    CROSS JOIN LATERAL (
      SELECT
        CASE WHEN i % 5 = 0 THEN 'component:default/service-' || (i / 5 % 40) ELSE :busyEntity END AS entity_ref,
        CASE WHEN i % 5 = 0 THEN 'service-' || (i / 5 % 40) ELSE 'busy' END AS name,
        CASE WHEN i % 5 = 0 THEN 'group:default/team-' || chr(98 + i / 5 % 4) ELSE :busyOwner END AS owner_ref
    ) AS e
    CROSS JOIN LATERAL (
      SELECT CASE
        WHEN i > :total - 30 THEN (ARRAY['pending', 'starting', 'running'])[1 + i % 3]
        WHEN i % 10 = 3 THEN 'failed'
        WHEN i % 50 = 7 THEN 'cancelled'
        WHEN i % 97 = 11 THEN 'timed_out'
        ELSE 'succeeded'
      END AS status
    ) AS s
    CROSS JOIN LATERAL (
      SELECT to_char(
        timestamp '2026-06-01' + make_interval(secs => (i::float8 * :span / :total)),
        'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
      ) AS at
    ) AS t
    `,
    { from, total, span: sixMonthsSeconds, busyEntity: BUSY_ENTITY, busyOwner: BUSY_OWNER },
  );
  // One run each, with reported usage on the finished ones: the list sums it per session.
  await knex.raw(`
    INSERT INTO agents_runs (
      id, session_id, attempt, kind, prompt, pod_name, namespace, phase, exit_code, created_at,
      started_at, finished_at, input_tokens, output_tokens, cost_usd
    )
    SELECT
      md5('run-' || seq)::uuid, id, 1, 'initial', prompt, 'agents-' || left(id::text, 8), 'agents',
      status, CASE WHEN finished_at IS NOT NULL THEN 0 END, created_at, started_at, finished_at,
      CASE WHEN finished_at IS NOT NULL THEN 20000 + seq % 50000 END,
      CASE WHEN finished_at IS NOT NULL THEN 2000 + seq % 5000 END,
      CASE WHEN finished_at IS NOT NULL THEN 0.05 + (seq % 100) / 100.0 END
    FROM agents_sessions
    WHERE seq > ?
  `, [Number(last ?? 0)]);
}

/** Which decision the router's permission service answers for `agents.session.read`. */
export type ReadDecision = 'allow' | 'owner-or-creator';

/**
 * The agents REST API as the plugin serves it (`createRouter` with its OpenAPI validation, the session
 * service and the permission filter), on a loopback port, over `agents`. Permission decisions come
 * from `decision()`: ALLOW, or a conditional decision the router turns into SQL (sessions on entities
 * the caller's groups own, or that the caller started), as a typical RBAC policy answers it.
 */
export async function startSessionListBackend(
  agents: AgentsDatabase,
  decision: () => ReadDecision = () => 'allow',
) {
  const rules = new Map<string, any>(
    Object.values(agentsSessionPermissionRules).map(rule => [rule.name, rule]),
  );
  const decide = (): PolicyDecision =>
    decision() === 'allow'
      ? { result: AuthorizeResult.ALLOW }
      : {
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'agents',
          resourceType: 'agents-session',
          conditions: {
            anyOf: [
              {
                rule: 'IS_ENTITY_OWNER',
                resourceType: 'agents-session',
                params: { claims: [CALLER, BUSY_OWNER] },
              },
              {
                rule: 'IS_SESSION_CREATOR',
                resourceType: 'agents-session',
                params: { claims: [CALLER] },
              },
            ],
          },
        };
  const permissions = {
    authorize: async (requests: unknown[]) => requests.map(() => ({ result: AuthorizeResult.ALLOW })),
    authorizeConditional: async (requests: unknown[]) => requests.map(decide),
  } as unknown as PermissionsService;
  const sessions = new SessionService({
    store: agents.sessions,
    transitions: agents.transitions,
    catalog: catalogServiceMock({ entities: [] }),
    policyResolver: undefined as any,
    authorizer: new SessionAuthorizer(permissions, { getRuleByName: (name: string) => rules.get(name) } as any),
    workBranchPrefix: 'agents/',
    repoUrlRewrites: [],
  });
  const router = await createRouter({
    sessions,
    db: agents,
    hub: new SessionEventHub(),
    httpAuth: mockServices.httpAuth({ pluginId: 'agents' }),
    auditor: { createEvent: async () => ({ success: async () => {}, fail: async () => {} }) } as any,
    logger: silentLogger,
    config: new ConfigReader({}),
  });
  const app = express().use('/api/agents', router);
  const server = app.listen(0, '127.0.0.1');
  // Longer than any pause between requests (seeding the next step of a case), so that no client
  // reuses a kept-alive connection the server is closing at that moment (ECONNRESET).
  server.keepAliveTimeout = 10 * 60_000;
  await new Promise(resolve => server.once('listening', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    baseUrl,
    /** `GET /api/agents<pathAndQuery>` over a kept-alive connection: the parsed JSON body. */
    get(pathAndQuery: string): Promise<any> {
      return new Promise((resolve, reject) => {
        http
          .get(`${baseUrl}/agents${pathAndQuery}`, { agent }, res => {
            const chunks: Buffer[] = [];
            res.on('data', chunk => chunks.push(chunk));
            res.on('end', () => {
              const body = Buffer.concat(chunks).toString();
              if (res.statusCode !== 200) reject(new Error(`GET ${pathAndQuery}: ${res.statusCode} ${body}`));
              else resolve(JSON.parse(body));
            });
            res.on('error', reject);
          })
          .on('error', reject);
      });
    },
    async stop() {
      agent.destroy();
      await new Promise(resolve => server.close(resolve));
    },
  };
}
