import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { AgentsDatabase } from '../database/AgentsDatabase';
import type { NewSession } from '../database/SessionStore';
import { databaseServiceFor } from '../__testUtils__/testDatabases';
import { SessionEventHub } from '../events/SessionEventHub';
import { newSessionInput } from '../testUtils/newSessionInput';
import { SessionEndNotifier } from './SessionEndNotifier';

jest.setTimeout(60_000);

const APP = 'https://backstage.example.com/';

/** A replica: its own event hub over the shared database, announcing only the writes it commits. */
async function replica(knex: Awaited<ReturnType<TestDatabases['init']>>) {
  const sent: NotificationSendOptions[] = [];
  const hub = new SessionEventHub();
  const db = await AgentsDatabase.create({
    database: databaseServiceFor(knex),
    onStatusChanges: changes => hub.publishStatus(...changes),
  });
  const notifier = new SessionEndNotifier({
    sessions: db.sessions,
    notifications: { send: async options => void sent.push(options) },
    logger: mockServices.logger.mock(),
    appBaseUrl: APP,
  });
  const pending: Promise<void>[] = [];
  hub.on('status', ({ session }) => void pending.push(notifier.sessionEnded(session)));
  return { db, sent, settled: () => Promise.all(pending) };
}

describe('SessionEndNotifier', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'], disableDocker: true });
  let r: Awaited<ReturnType<typeof replica>>;
  let knex: Awaited<ReturnType<TestDatabases['init']>>;

  beforeAll(async () => {
    knex = await databases.init('SQLITE_3');
    r = await replica(knex);
  });
  afterEach(async () => {
    await r.settled();
    r.sent.length = 0;
    await knex('agents_sessions').delete();
  });

  const create = async (overrides: Partial<NewSession> = {}) =>
    (await r.db.sessions.createSession(newSessionInput(overrides))).session;
  const end = async (id: string, to: 'succeeded' | 'failed' | 'cancelled' | 'timed_out', reason?: string) => {
    await r.db.transitions.transition(id, 'starting');
    await r.db.transitions.transition(id, 'running');
    await r.db.transitions.transition(id, to, reason ? { run: { reason } } : {});
    await r.settled();
  };
  const withNotifications = (notifications: object) => ({
    policy: { name: 'default', snapshot: { timeoutSeconds: 60, notifications } },
  });

  it("tells the creator a session succeeded, with its pull request, linked to the session's page", async () => {
    const session = await create({ prompt: 'Add a refund endpoint\nwith tests' });
    await r.db.transitions.transition(session.id, 'starting');
    await r.db.transitions.transition(session.id, 'running');
    // The plugin notifies after the pull-request sync, which records the link first.
    await r.db.pullRequests.setPullRequest(session.id, {
      url: 'https://github.com/example-org/payments/pull/7',
      state: 'open',
    });
    await r.db.transitions.transition(session.id, 'succeeded');
    await r.settled();

    expect(r.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'user:default/jane' },
        payload: {
          title: 'Agent session succeeded on payments',
          description:
            'Pull request: https://github.com/example-org/payments/pull/7 · Prompt: “Add a refund endpoint”',
          link: `https://backstage.example.com/agents/sessions/${session.id}`,
          severity: 'normal',
          topic: 'agent-sessions',
          scope: `agents-session:${session.id}`,
        },
      },
    ]);
  });

  it('gives the reason of a failure and of a timeout, as high severity', async () => {
    const failed = await create();
    await end(failed.id, 'failed', 'The harness exited with code 2');
    const timedOut = await create({ workBranch: 'agents/other' });
    await end(timedOut.id, 'timed_out', 'The run exceeded its time limit');

    expect(r.sent.map(n => n.payload)).toEqual([
      expect.objectContaining({
        title: 'Agent session failed on payments',
        description: 'Reason: The harness exited with code 2 · Prompt: “Add a refund endpoint”',
        severity: 'high',
        link: `https://backstage.example.com/agents/sessions/${failed.id}`,
      }),
      expect.objectContaining({
        title: 'Agent session timed out on payments',
        description: 'Reason: The run exceeded its time limit · Prompt: “Add a refund endpoint”',
        severity: 'high',
      }),
    ]);
  });

  it('leaves cancels out by default, and notifies them where the policy asks to', async () => {
    await end((await create()).id, 'cancelled');
    expect(r.sent).toEqual([]);

    const asked = await create({ workBranch: 'agents/b', ...withNotifications({ enabled: true, on: ['cancelled'] }) });
    await end(asked.id, 'cancelled');
    expect(r.sent.map(n => n.payload)).toEqual([
      expect.objectContaining({ title: 'Agent session was cancelled on payments', severity: 'low' }),
    ]);
  });

  it('notifies nothing under a policy that switches notifications off, or not for that outcome', async () => {
    await end((await create(withNotifications({ enabled: false, on: ['succeeded'] }))).id, 'succeeded');
    await end(
      (await create({ workBranch: 'agents/b', ...withNotifications({ enabled: true, on: ['failed'] }) })).id,
      'succeeded',
    );
    expect(r.sent).toEqual([]);
  });

  it('notifies no one for sessions a service created', async () => {
    await end((await create({ createdBy: 'plugin:scaffolder' })).id, 'succeeded');
    await end((await create({ createdBy: 'external:ci', workBranch: 'agents/b' })).id, 'failed');
    expect(r.sent).toEqual([]);
  });

  it("notifies a fan-out's end once, with its tasks' counts, and none of its tasks", async () => {
    const fanOut = (await r.db.sessions.createSession(newSessionInput({ kind: 'fanout', prompt: 'Implement 001-ledger' })))
      .session;
    const task = async (taskId: string) =>
      (
        await r.db.sessions.createSession(
          newSessionInput({ parentSessionId: fanOut.id, origin: { kind: 'speckit', taskId }, workBranch: `t/${taskId}` }),
        )
      ).session;
    const [a, b, c] = [await task('T001'), await task('T002'), await task('T003')];
    await end(a.id, 'succeeded');
    await end(b.id, 'failed', 'Tests failed');
    expect(r.sent).toEqual([]);
    await end(c.id, 'timed_out');

    expect(r.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'user:default/jane' },
        payload: expect.objectContaining({
          title: 'Fan-out failed on payments: 3 tasks',
          description: 'Tasks: 1 succeeded, 1 failed, 1 timed out · Prompt: “Implement 001-ledger”',
          link: `https://backstage.example.com/agents/sessions/${fanOut.id}`,
          severity: 'high',
        }),
      },
    ]);
  });

  it('notifies an end once when two replicas race to write it', async () => {
    const other = await replica(knex);
    const session = await create();
    await r.db.transitions.transition(session.id, 'starting');
    await r.db.transitions.transition(session.id, 'running');
    const results = await Promise.allSettled([
      r.db.transitions.transition(session.id, 'succeeded'),
      other.db.transitions.transition(session.id, 'succeeded'),
    ]);
    await Promise.all([r.settled(), other.settled()]);
    expect(results.filter(x => x.status === 'fulfilled')).toHaveLength(1);
    expect([...r.sent, ...other.sent]).toHaveLength(1);
  });

  it('logs, and does not throw, when the notifications backend fails', async () => {
    const logger = mockServices.logger.mock();
    const session = await create();
    const notifier = new SessionEndNotifier({
      sessions: r.db.sessions,
      notifications: { send: async () => Promise.reject(new Error('503 Service Unavailable')) },
      logger,
      appBaseUrl: APP,
    });
    await end(session.id, 'succeeded');
    await expect(notifier.sessionEnded({ ...session, status: 'succeeded' })).resolves.toBeUndefined();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('503 Service Unavailable'));
  });
});
