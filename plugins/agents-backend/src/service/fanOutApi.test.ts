import { createServiceFactory } from '@backstage/backend-plugin-api';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { signalsServiceRef, type SignalPayload } from '@backstage/plugin-signals-node';
import type { Knex } from 'knex';
import request from 'supertest';
import { asJane, configWithPolicies, startBackend } from '../__testUtils__/agentsTestBackend';
import { createTestDatabases } from '../__testUtils__/testDatabases';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const config = configWithPolicies(
  { speckit: { allowedHarnesses: ['opencode'], maxPromptLength: 200 } },
  [{ template: 'template:default/implement-spec', policy: 'speckit' }],
);

/** The Backstage signals the backend sends, in order. */
const signals: SignalPayload[] = [];
const signalsService = createServiceFactory({
  service: signalsServiceRef,
  deps: {},
  factory: () => ({
    publish: async (signal: SignalPayload) => {
      signals.push(signal);
    },
  }),
});

describe.each(databases.eachSupportedId())('fan-outs through the API on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let server: Awaited<ReturnType<typeof startBackend>>['server'];
  let auditEvents: Awaited<ReturnType<typeof startBackend>>['auditEvents'];

  beforeAll(async () => {
    knex = await databases.init(databaseId);
  });

  beforeEach(async () => {
    signals.length = 0;
    ({ server, auditEvents } = await startBackend(knex, { config, features: [signalsService] }));
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  const post = (body: object) => request(server).post('/api/agents/sessions').set(asJane).send(body);
  const sessionCount = async () => Number((await knex('agents_sessions').count({ n: '*' }))[0].n);
  const newFanOut = async () => {
    const res = await post({
      entityRef: 'component:default/payments',
      prompt: 'Implement 001-ledger',
      kind: 'fanout',
      origin: 'speckit',
      templateRef: 'template:default/implement-spec',
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const newChild = (parentSessionId: string, taskId: string, extra: object = {}) =>
    post({
      entityRef: 'component:default/payments',
      prompt: `Do ${taskId}`,
      parentSessionId,
      workBranch: `specs/001-ledger/${taskId}-async`,
      origin: 'speckit',
      taskId,
      templateRef: 'template:default/implement-spec',
      ...extra,
    });

  it('groups child sessions on their own branches under a fan-out that shows them all', async () => {
    const fanOut = await newFanOut();
    expect(fanOut).toMatchObject({ kind: 'fanout', status: 'pending', runs: [], policy: { name: 'speckit' } });
    for (const taskId of ['T001', 'T002', 'T003']) {
      const child = await newChild(fanOut.id, taskId);
      expect(child.status).toBe(201);
      expect(child.body).toMatchObject({
        kind: 'agent',
        parentSessionId: fanOut.id,
        workBranch: `specs/001-ledger/${taskId}-async`,
        origin: { kind: 'speckit', taskId, templateRef: 'template:default/implement-spec' },
        runs: [expect.objectContaining({ attempt: 1 })],
      });
    }
    const children = await request(server)
      .get('/api/agents/sessions')
      .query({ parentSessionId: fanOut.id, limit: 2 })
      .set(asJane);
    expect(children.body.items.map((s: any) => s.origin.taskId)).toEqual(['T003', 'T002']);
    expect(children.body.nextCursor).toBeDefined();
    const fetched = await request(server).get(`/api/agents/sessions/${fanOut.id}`).set(asJane);
    expect(fetched.body).toMatchObject({ status: 'pending', children: { total: 3, byStatus: { pending: 3 } } });
    expect(auditEvents).toContainEqual(
      expect.objectContaining({ eventId: 'session-create', meta: expect.objectContaining({ parentSessionId: fanOut.id }) }),
    );
  });

  it('cancels every unfinished child with the fan-out, and will not resume the fan-out itself', async () => {
    const fanOut = await newFanOut();
    const a = (await newChild(fanOut.id, 'T001')).body;
    const b = (await newChild(fanOut.id, 'T002')).body;
    const cancelled = await request(server).post(`/api/agents/sessions/${fanOut.id}/cancel`).set(asJane);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', children: { total: 2, byStatus: { cancelled: 2 } } });
    for (const id of [a.id, b.id]) {
      const child = await request(server).get(`/api/agents/sessions/${id}`).set(asJane);
      expect(child.body.status).toBe('cancelled');
      expect(child.body.runs[0].reason).toBe(`Fan-out ${fanOut.id} was cancelled by a user`);
    }
    const again = await request(server).post(`/api/agents/sessions/${fanOut.id}/cancel`).set(asJane);
    expect(again.status).toBe(409);
    const resume = await request(server).post(`/api/agents/sessions/${fanOut.id}/resume`).set(asJane).send({ prompt: 'More' });
    expect(resume.status).toBe(409);
    expect(resume.body.error.message).toContain('resume the child sessions');
    const late = await newChild(fanOut.id, 'T003');
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('was cancelled; it takes no new sessions');
  });

  it('announces every status change with its entity and fan-out, and the changes of the fan-out it moves', async () => {
    const entityRef = 'component:default/payments';
    const fanOut = await newFanOut();
    const a = (await newChild(fanOut.id, 'T001')).body;
    const b = (await newChild(fanOut.id, 'T002')).body;
    const action = (id: string, what: 'cancel' | 'resume') =>
      request(server).post(`/api/agents/sessions/${id}/${what}`).set(asJane).send({ prompt: 'Again' }).expect(200);
    await action(a.id, 'cancel');
    await action(b.id, 'cancel');
    await action(a.id, 'resume');
    await action(fanOut.id, 'cancel');

    const task = (id: string, status: string) => ({ sessionId: id, status, entityRef, parentSessionId: fanOut.id });
    const fan = (status: string) => ({ sessionId: fanOut.id, status, entityRef });
    expect(signals).toEqual(
      [
        fan('pending'),
        task(a.id, 'pending'),
        task(b.id, 'pending'),
        task(a.id, 'cancelled'),
        fan('running'),
        task(b.id, 'cancelled'),
        fan('cancelled'),
        task(a.id, 'pending'),
        fan('running'),
        task(a.id, 'cancelled'),
        fan('cancelled'),
      ].map(message => ({ recipients: { type: 'broadcast' }, channel: 'agents:sessions', message })),
    );
  });

  it('cancels a fan-out that has no children yet', async () => {
    const fanOut = await newFanOut();
    const cancelled = await request(server).post(`/api/agents/sessions/${fanOut.id}/cancel`).set(asJane);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', children: { total: 0 } });
  });

  it.each([
    ['an unknown parent', () => ({ parentSessionId: '00000000-0000-4000-8000-000000000000' }), 400, 'is not a session'],
    ['a parent that is no fan-out', (ids: Ids) => ({ parentSessionId: ids.agent }), 400, 'is not a fan-out session'],
    [
      'a child on another entity',
      (ids: Ids) => ({ parentSessionId: ids.fanOut, entityRef: 'component:default/storefront' }),
      400,
      'its children must be on the same entity',
    ],
    ['a nested fan-out', (ids: Ids) => ({ parentSessionId: ids.fanOut, kind: 'fanout' }), 400, 'takes neither parentSessionId'],
    ['a branch Git refuses', (ids: Ids) => ({ parentSessionId: ids.fanOut, workBranch: 'specs/../x' }), 400, 'not a valid Git branch name'],
    ['the base branch as work branch', (ids: Ids) => ({ parentSessionId: ids.fanOut, workBranch: 'develop' }), 400, 'the branch the session starts from'],
    ['a branch another session works on', (ids: Ids) => ({ parentSessionId: ids.fanOut, workBranch: 'specs/001-ledger/T001-async' }), 409, 'is still working on branch specs/001-ledger/T001-async'],
    ['the webhook origin', (ids: Ids) => ({ parentSessionId: ids.fanOut, origin: 'webhook' }), 400, 'must be equal to one of the allowed values'],
    ["a prompt longer than the policy's limit", (ids: Ids) => ({ parentSessionId: ids.fanOut, prompt: 'x'.repeat(201) }), 403, "Policy 'speckit' allows prompts of at most 200 characters"],
  ])('refuses %s and writes nothing', async (_what, body, status, message) => {
    const fanOut = await newFanOut();
    const agent = (await post({ entityRef: 'component:default/payments', prompt: 'Solo' })).body;
    expect((await newChild(fanOut.id, 'T001')).status).toBe(201);
    const before = await sessionCount();
    const res = await newChild(fanOut.id, 'T009', body({ fanOut: fanOut.id, agent: agent.id }));
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
    expect(await sessionCount()).toBe(before);
  });

  it("audits a prompt the template's policy refuses, naming the rule", async () => {
    const fanOut = await newFanOut();
    auditEvents.length = 0;
    await newChild(fanOut.id, 'T001', { prompt: 'x'.repeat(500) });
    expect(auditEvents).toContainEqual(
      expect.objectContaining({
        eventId: 'policy-denial',
        outcome: 'fail',
        meta: expect.objectContaining({ policy: 'speckit', rule: 'maxPromptLength' }),
      }),
    );
  });
});

type Ids = { fanOut: string; agent: string };
