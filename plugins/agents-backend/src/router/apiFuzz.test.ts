import { mockCredentials, mockServices, startTestBackend, type TestDatabaseId } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import fc from 'fast-check';
import type { Knex } from 'knex';
import http from 'node:http';
import fs from 'node:fs';
import { parse } from 'yaml';
import request from 'supertest';
import { asJane, entities, testConfig } from '../__testUtils__/agentsTestBackend';
import { agentsPlugin } from '../plugin';
import { createTestDatabases } from '../__testUtils__/testDatabases';
import { operationsOf, operationRequests } from '../__testUtils__/fuzz/apiRequests';
import { bundleRequests } from '../__testUtils__/fuzz/bundleRequests';
import { details, FuzzReport } from '../__testUtils__/fuzz/FuzzReport';
import type { FuzzRequest } from '../__testUtils__/fuzz/FuzzRequest';
import { githubEventsModules } from '../__testUtils__/fuzz/githubEventsModules';
import { eventsModuleWebhookJson } from '../events/eventsModuleWebhookJson';
import { BRANCH_TRICKS } from '../__testUtils__/fuzz/hostileValues';
import { SchemaArbitraries } from '../__testUtils__/fuzz/schemaArbitraries';
import { sendRequest } from '../__testUtils__/fuzz/sendRequest';
import { strayRequests } from '../__testUtils__/fuzz/strayRequests';
import { changedTables, countRows, pluginTables } from '../__testUtils__/fuzz/tableRowCounts';
import { webhookRequests } from '../__testUtils__/fuzz/webhookRequests';

/**
 * Property-based fuzzing of the whole HTTP surface of the plugin, from its OpenAPI document plus the
 * routes it does not describe (the GitHub webhook ingress, unknown paths): every answer is a 2xx-4xx,
 * and a refused (4xx) request writes no row. `AGENTS_FUZZ_RUNS` sets the number of requests per
 * database (`yarn fuzz` runs many); `AGENTS_FUZZ_SEED` replays a run; `AGENTS_FUZZ_DETAILS=1` also prints
 * the statuses by operation and kind of input.
 */
const RUNS = Number(process.env.AGENTS_FUZZ_RUNS ?? 300);
const SEED = process.env.AGENTS_FUZZ_SEED ? Number(process.env.AGENTS_FUZZ_SEED) : Date.now() % 2 ** 31;
const WEBHOOK_SECRET = 'fuzz-webhook-secret';

jest.setTimeout(60_000 + RUNS * 1_000);

const databases = createTestDatabases();

const document = parse(fs.readFileSync(require.resolve('../schema/openapi.yaml'), 'utf8'));

describe.each(databases.eachSupportedId())('the REST API under fuzzing on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let baseUrl: URL;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sessionIds: string[] = [];
  const runIds: string[] = [];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    // With Backstage's events backend and its GitHub module in front of the agents' issue triggers;
    // permissions allow everything, so requests get past authorization to the handlers.
    backend = await startTestBackend({
      features: [
        agentsPlugin,
        eventsPlugin,
        ...githubEventsModules(),
        eventsModuleWebhookJson,
        eventsServiceFactory,
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: { ...testConfig, events: { modules: { github: { webhookSecret: WEBHOOK_SECRET } } } },
        }),
        catalogServiceMock.factory({ entities }),
        mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      ],
    });
    baseUrl = new URL(`http://127.0.0.1:${backend.server.port()}`);
    // Sessions to aim at: ids that exist reach the handlers, not only the validator.
    for (const body of [
      { entityRef: 'component:default/payments', prompt: 'Add refunds' },
      { entityRef: 'component:default/storefront', prompt: 'Split the cart', kind: 'fanout' },
    ]) {
      const res = await request(backend.server).post('/api/agents/sessions').set(asJane).send(body);
      if (res.status !== 201) throw new Error(`Seeding failed: ${res.status} ${res.text}`);
      sessionIds.push(res.body.id);
      runIds.push(...res.body.runs.map((r: { id: string }) => r.id));
    }
  });

  afterAll(async () => {
    agent.destroy();
    // The whole backend, not only its server: the events service holds a connection to the events bus.
    await backend?.stop();
  });

  it('answers every request with a 2xx-4xx, and refused requests write nothing', async () => {
    const known = (values: string[]) => fc.constantFrom(...values);
    const schemas = new SchemaArbitraries(document, {
      id: known(sessionIds),
      parentSessionId: known(sessionIds),
      entityRef: known(['component:default/payments', 'payments', 'default/storefront', 'component:default/no-source']),
      ownerRef: known(['group:default/team-a', 'team-b']),
      templateRef: known(['template:default/fix-issue']),
      createdBy: known(['me', 'user:default/jane']),
      status: known(['pending', 'running,failed', 'succeeded']),
      prompt: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
      workBranch: fc.oneof(fc.nat().map(n => `feature/fuzz-${n}`), known(BRANCH_TRICKS)),
      integrationBranch: fc.oneof(fc.nat().map(n => `integration/fuzz-${n}`), known(BRANCH_TRICKS)),
      idempotencyKey: fc.uuid(),
    });
    const authorization = fc.oneof(
      { weight: 12, arbitrary: fc.constant(asJane.Authorization) },
      { weight: 1, arbitrary: fc.constant(mockCredentials.service.header()) },
      { weight: 1, arbitrary: fc.constantFrom<string | undefined>(undefined, '', 'Bearer ', 'Bearer not-a-token', mockCredentials.user.invalidHeader()) },
    );
    const basePath = '/api/agents';
    const requests: fc.Arbitrary<FuzzRequest> = fc.oneof(
      ...operationsOf(document, schemas)
        .filter(operation => !operation.path.startsWith('/runs/'))
        .map(operation =>
          operationRequests(operation, schemas, { basePath, authorization, validAuthorization: asJane.Authorization }),
        ),
      bundleRequests({ basePath, runIds }),
      bundleRequests({ basePath, runIds }),
      webhookRequests({
        path: '/api/events/http/github',
        secret: WEBHOOK_SECRET,
        repositories: ['example-org/storefront', 'example-org/payments', 'example-org/unknown'],
      }),
      strayRequests({ basePath, sessionIds, authorization }),
    );

    const tables = await pluginTables(knex);
    expect(tables).toEqual(expect.arrayContaining(['agents_sessions', 'agents_runs', 'agents_bundles']));
    const counts = () => countRows(knex, tables);
    // Work a 2xx started may go on after the answer (a webhook's session is created after its 202).
    const settled = async () => {
      let last = JSON.stringify(await counts());
      for (let i = 0; i < 20; i++) {
        await new Promise(resolve => setTimeout(resolve, 25));
        const now = JSON.stringify(await counts());
        if (now === last) return;
        last = now;
      }
    };

    const report = new FuzzReport(`agents API fuzzing on ${databaseId}`);
    // The webhook ingress checks GitHub's signature on the raw body: nothing unsigned gets in.
    const unsignedAccepted: string[] = [];
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(requests, async fuzzRequest => {
        const before = await counts();
        const answer = await sendRequest(baseUrl, fuzzRequest, agent);
        const refused = answer.status !== undefined && answer.status >= 400 && answer.status < 500;
        if (!refused && fuzzRequest.method !== 'GET') await settled();
        report.record(fuzzRequest, answer, refused ? changedTables(before, await counts()) : {});
        if (/(wrong|missing|malformed) signature/.test(fuzzRequest.variant) && answer.status !== undefined && answer.status < 400) {
          unsignedAccepted.push(`${fuzzRequest.variant}: ${answer.status}`);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );

    process.stdout.write(
      report.summary([
        `seed ${SEED} (AGENTS_FUZZ_SEED=${SEED} replays it), ${RUNS} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; row counts of ${tables.join(', ')}`,
      ]),
    );
    if (process.env.AGENTS_FUZZ_DETAILS) process.stdout.write(details(report));
    expect(report.requests).toBe(RUNS);
    expect(report.serverErrors).toEqual([]);
    expect(report.refusedWrites).toEqual([]);
    expect(report.noAnswers).toEqual([]);
    expect(unsignedAccepted).toEqual([]);
  });
});
