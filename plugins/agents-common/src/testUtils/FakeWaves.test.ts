import { AgentsClient } from '../client/AgentsClient';
import type { AgentsLogStreamEvent } from '../client/types';
import { FakeAgentsApi } from './FakeAgentsApi';
import { ENTITY_REF } from './sessionFixtures';

function clientOf(fake: FakeAgentsApi) {
  return new AgentsClient({
    discoveryApi: fake.discoveryApi,
    fetchApi: { fetch: fake.fetch },
  });
}

async function waveFanOut(fake: FakeAgentsApi, waves: number[]) {
  const client = clientOf(fake);
  const fanOut = await client.createSession({
    entityRef: ENTITY_REF,
    prompt: 'Implement 002-refunds',
    kind: 'fanout',
    integrationBranch: 'specs/002-refunds/integration',
  });
  const tasks = [];
  for (const [i, wave] of waves.entries()) {
    tasks.push(
      await client.createSession({
        entityRef: ENTITY_REF,
        prompt: `task ${i}`,
        parentSessionId: fanOut.id,
        taskId: `T00${i + 1}`,
        wave,
      }),
    );
  }
  return { client, fanOut, tasks };
}

describe('FakeAgentsApi: fan-outs in waves, as the backend runs them', () => {
  let fake: FakeAgentsApi;
  afterEach(() => fake.assertNoViolations());

  it('starts a fan-out at wave 1 and its tasks from the integration branch', async () => {
    fake = new FakeAgentsApi();
    const { client, fanOut, tasks } = await waveFanOut(fake, [2, 1]);
    expect(fanOut).toMatchObject({
      integrationBranch: 'specs/002-refunds/integration',
      currentWave: 1,
    });
    expect(tasks[0]).toMatchObject({
      wave: 2,
      baseBranch: 'specs/002-refunds/integration',
      status: 'pending',
    });
    expect((await client.getSession(fanOut.id)).children?.total).toBe(2);
  });

  it.each([
    [
      'a wave on a task of a fan-out without waves',
      { wave: 1 },
      false,
      /wave is only for a task of a fan-out that runs in waves/,
    ],
    [
      'no wave on a task of a fan-out in waves',
      {},
      true,
      /runs in waves on specs\/x: give the task's wave/,
    ],
  ])('refuses %s with 400', async (_what, extra, waves, message) => {
    fake = new FakeAgentsApi();
    const client = clientOf(fake);
    const fanOut = await client.createSession({
      entityRef: ENTITY_REF,
      prompt: 'p',
      kind: 'fanout',
      ...(waves ? { integrationBranch: 'specs/x' } : {}),
    });
    await expect(
      client.createSession({
        entityRef: ENTITY_REF,
        prompt: 'p',
        parentSessionId: fanOut.id,
        ...extra,
      }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: {
        error: { name: 'InputError', message: expect.stringMatching(message) },
      },
    });
  });

  it('refuses an integration branch on a session that is not a fan-out', async () => {
    fake = new FakeAgentsApi();
    await expect(
      clientOf(fake).createSession({
        entityRef: ENTITY_REF,
        prompt: 'p',
        integrationBranch: 'b',
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });

  it('moves to the next wave when every task of the current one succeeded', async () => {
    fake = new FakeAgentsApi();
    const { client, fanOut, tasks } = await waveFanOut(fake, [1, 1, 2]);
    fake.finishTask(tasks[0].id, 'succeeded');
    expect((await client.getSession(fanOut.id)).currentWave).toBe(1);
    fake.finishTask(tasks[1].id, 'succeeded', [], {
      prUrl: 'https://github.com/o/r/pull/2',
    });
    expect((await client.getSession(fanOut.id)).currentWave).toBe(2);
    expect((await client.getSession(tasks[1].id)).prUrl).toBe(
      'https://github.com/o/r/pull/2',
    );
    fake.finishTask(tasks[2].id, 'succeeded');
    // Past the last wave: every wave is merged.
    const done = await client.getSession(fanOut.id);
    expect(done).toMatchObject({ status: 'succeeded', currentWave: 3 });
    expect(done.waveError).toBeUndefined();
  });

  it('sets waveError and cancels the later waves when a wave ends with a task not succeeded', async () => {
    fake = new FakeAgentsApi();
    const { client, fanOut, tasks } = await waveFanOut(fake, [1, 1, 2, 3]);
    fake.finishTask(tasks[0].id, 'failed');
    expect((await client.getSession(fanOut.id)).waveError).toBeUndefined();
    fake.finishTask(tasks[1].id, 'succeeded');
    const after = await client.getSession(fanOut.id);
    expect(after.waveError).toBe(
      'Wave 1 ended with T001 failed: the later waves were not started',
    );
    expect(after.currentWave).toBe(1);
    expect((await client.getSession(tasks[2].id)).status).toBe('cancelled');
    expect((await client.getSession(tasks[3].id)).status).toBe('cancelled');
  });

  it('serves logs from what the test played, live and on reconnect, and ends them with the session', async () => {
    fake = new FakeAgentsApi();
    fake.serveLogs();
    const { client, tasks } = await waveFanOut(fake, [1, 2]);
    fake.playTask(tasks[0].id, 'running', ['cloning']);
    const first: AgentsLogStreamEvent[] = [];
    const following = (async () => {
      for await (const event of client.followLogs(tasks[0].id, {
        retryDelayMs: 1,
      }))
        first.push(event);
    })();
    const later: AgentsLogStreamEvent[] = [];
    const followingLater = (async () => {
      for await (const event of client.followLogs(tasks[1].id, {
        retryDelayMs: 1,
      }))
        later.push(event);
    })();
    while (fake.streams.length < 2) await new Promise(r => setTimeout(r, 1));
    fake.finishTask(tasks[0].id, 'failed', ['tests fail']);
    await Promise.all([following, followingLater]);
    expect(first.map(e => (e.type === 'log' ? e.line.line : e.type))).toEqual([
      'cloning',
      'tests fail',
      'status',
      'end',
    ]);
    // The later wave's task was cancelled with the wave's end: its stream says so.
    expect(later.at(-1)).toEqual({
      type: 'end',
      status: 'cancelled',
      lastSeq: 0,
    });
  });
});
