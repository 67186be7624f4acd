import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { generateAppKeyPair, startFakeGitHub, type FakeGitHub } from '@backstage-agents/fake-github';
import type { Knex } from 'knex';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { asJane, startBackend, testConfig } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const component = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

const INTEGRATION = 'specs/001-ledger/integration';

/** Creating fan-outs in waves and their tasks through the API, against a fake GitHub; no cluster. */
describe.each(databases.eachSupportedId())('fan-outs in waves through the API on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let github: FakeGitHub;
  let server: Awaited<ReturnType<typeof startBackend>>['server'];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    const key = generateAppKeyPair();
    github = await startFakeGitHub({
      reposDir: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-waves-api-')),
      apps: [{ appId: 4242, privateKeyPem: key.privateKeyPem, installations: [{ id: 7, account: 'example-org', repositories: 'all' }] }],
    });
    await github.createRepo('example-org', 'payments');
    const host = `127.0.0.1:${github.port}`;
    ({ server } = await startBackend(knex, {
      entities: [
        component('payments', { 'github.com/project-slug': 'example-org/payments' }),
        // On github.com, for which the configuration has no app or token.
        component('storefront', { 'github.com/project-slug': 'example-org/storefront' }),
      ],
      config: {
        ...testConfig,
        integrations: {
          github: [
            {
              host,
              apiBaseUrl: github.enterpriseApiUrl,
              apps: [{ appId: 4242, privateKey: key.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' }],
            },
          ],
        },
        agents: {
          ...testConfig.agents,
          git: { rewrites: [{ from: 'https://github.com/example-org/payments', to: `http://${host}/example-org/payments` }] },
        },
      },
    }));
  });

  afterAll(async () => {
    await github?.stop();
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  const post = (body: object) => request(server).post('/api/agents/sessions').set(asJane).send(body);
  const sessionCount = async () => Number((await knex('agents_sessions').count({ n: '*' }))[0].n);
  const repoDir = () => github.state.repos().find(r => r.name === 'payments')!.dir;
  const branchSha = (branch: string) => {
    try {
      return execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd: repoDir(), encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  const newFanOut = (extra: object = {}) =>
    post({ entityRef: 'component:default/payments', prompt: 'Implement 001-ledger', kind: 'fanout', origin: 'speckit', ...extra });
  const newTask = (parentSessionId: string, taskId: string, extra: object = {}) =>
    post({
      entityRef: 'component:default/payments',
      prompt: `Do ${taskId}`,
      parentSessionId,
      workBranch: `specs/001-ledger/${taskId}-async`,
      origin: 'speckit',
      taskId,
      ...extra,
    });

  it('creates the integration branch from the base branch once, and starts the fan-out at wave 1', async () => {
    const fanOut = await newFanOut({ integrationBranch: INTEGRATION });
    expect(fanOut.status).toBe(201);
    expect(fanOut.body).toMatchObject({ kind: 'fanout', integrationBranch: INTEGRATION, currentWave: 1 });
    expect(fanOut.body.waveError).toBeUndefined();
    const main = branchSha('main');
    expect(branchSha(INTEGRATION)).toBe(main);

    // A branch that exists already is used as it is.
    await github.commitFiles('example-org', 'payments', { branch: INTEGRATION, files: { 'x.md': 'x\n' } });
    const moved = branchSha(INTEGRATION);
    expect((await newFanOut({ integrationBranch: INTEGRATION })).status).toBe(201);
    expect(branchSha(INTEGRATION)).toBe(moved);

    const task = await newTask(fanOut.body.id, 'T001', { wave: 1 });
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ wave: 1, baseBranch: INTEGRATION, status: 'pending' });
    const held = await newTask(fanOut.body.id, 'T002', { wave: 3 });
    expect(held.body).toMatchObject({ wave: 3, status: 'pending' });
  });

  type Ids = { plain: string; waves: string };
  it.each([
    ['integrationBranch on an agent session', () => ({ integrationBranch: 'x/integration' }), 400, 'integrationBranch is only for a fan-out session'],
    ['a wave without a fan-out', () => ({ wave: 1 }), 400, 'wave is only for a task of a fan-out that runs in waves'],
    ['a wave on a task of a fan-out without integrationBranch', (ids: Ids) => ({ parentSessionId: ids.plain, wave: 1 }), 400, 'does not run in waves'],
    ['a task of a fan-out in waves without its wave', (ids: Ids) => ({ parentSessionId: ids.waves }), 400, 'give the task its wave'],
    ['a wave below the current wave', (ids: Ids) => ({ parentSessionId: ids.waves, wave: 1 }), 409, 'Wave 1 of fan-out session'],
    ['wave 0', (ids: Ids) => ({ parentSessionId: ids.waves, wave: 0 }), 400, 'must be >= 1'],
    ['the integration branch as work branch', (ids: Ids) => ({ parentSessionId: ids.waves, wave: 2, workBranch: INTEGRATION }), 400, 'the branch the session starts from'],
  ])('refuses %s and writes nothing', async (_what, body, status, message) => {
    const plain = (await newFanOut()).body.id;
    const waves = (await newFanOut({ integrationBranch: INTEGRATION })).body.id;
    await knex('agents_sessions').where({ id: waves }).update({ current_wave: 2 });
    const before = await sessionCount();
    const res = await post({ entityRef: 'component:default/payments', prompt: 'Do it', ...body({ plain, waves }) });
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
    expect(await sessionCount()).toBe(before);
  });

  it.each([
    ['a branch Git refuses', { integrationBranch: 'specs/../x' }, 'is not a valid Git branch name'],
    ['the base branch', { integrationBranch: 'main' }, 'the branch the session starts from'],
    ['a repository without a GitHub App', { entityRef: 'component:default/storefront', integrationBranch: INTEGRATION }, 'integrations.github has no GitHub App or token for github.com'],
  ])('refuses a fan-out with %s as integration branch (400), creating neither session nor branch', async (_what, body, message) => {
    const res = await newFanOut(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(await sessionCount()).toBe(0);
    expect(branchSha('specs/../x')).toBeUndefined();
  });
});
