import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { TestDatabaseId } from '@backstage/backend-test-utils';
import knexFactory, { type Knex } from 'knex';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { newSessionInput } from '../testUtils/newSessionInput';
import { AgentsDatabase } from '../database/AgentsDatabase';
import type { AdmissionSubject } from '../database/AdmissionStore';
import { ConcurrencyGate } from './ConcurrencyGate';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('ConcurrencyGate on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  /** A second connection pool to the same database: what another backend replica would hold. */
  let otherReplica: Knex;
  let db: AgentsDatabase;
  let other: AgentsDatabase;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    // An in-memory SQLite database exists once per connection: a second pool could not see it,
    // and SQLite serves one backend anyway. Both "replicas" share the pool there.
    otherReplica = databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
    other = await AgentsDatabase.create({ database: databaseServiceFor(otherReplica) });
  });

  afterAll(async () => {
    if (otherReplica !== knex) await otherReplica.destroy();
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  const capped = (cap: number) =>
    newSessionInput({
      policy: { name: 'capped', snapshot: { ...newSessionInput().policy.snapshot, maxConcurrentGlobal: cap } },
    });

  it('starts no more sessions than the cap when two replicas admit the same burst', async () => {
    const sessions: SessionWithRuns[] = [];
    for (let i = 0; i < 12; i++) sessions.push((await db.sessions.createSession(capped(3))).session);
    const gates = [new ConcurrencyGate(db.admission), new ConcurrencyGate(other.admission)];

    // Every session is offered to both replicas at once, as a burst of requests on one and the
    // reconciler's launch pass on the other would, in opposite orders; a claim moves it
    // pending → starting, and a session the other replica claimed first is a conflict.
    const offer = (replica: number, order: typeof sessions) =>
      order.map(session =>
        gates[replica]
          .admit(session, () => (replica === 0 ? db : other).transitions.applyTransition(session.id, 'starting'))
          .catch(error => error.name as string),
      );
    const results = await Promise.all([...offer(0, sessions), ...offer(1, [...sessions].reverse())]);

    const starting = await knex('agents_sessions').where({ status: 'starting' }).count({ n: '*' });
    expect(Number(starting[0].n)).toBe(3);
    expect(results.filter(Array.isArray)).toHaveLength(3);
    // The oldest sessions start first; the rest stay queued.
    const started = (await knex('agents_sessions').where({ status: 'starting' }).select('id')).map(r => r.id);
    expect(started.sort()).toEqual(sessions.slice(0, 3).map(s => s.id).sort());
  });

  it('keeps the cap when a resumed session is admitted while another replica claims a newer one', async () => {
    const resumed = (await db.sessions.createSession(capped(1))).session;
    for (const to of ['starting', 'running', 'succeeded'] as const) await db.transitions.applyTransition(resumed.id, to);
    const newer = (await db.sessions.createSession(capped(1))).session;
    const firstGate = new ConcurrencyGate(db.admission);
    // One process serves SQLite: there the race is between two launches in the same replica.
    const secondGate = databaseId === 'SQLITE_3' ? firstGate : new ConcurrencyGate(other.admission);

    // The first replica admits the newer session and is slow to claim it; meanwhile the older
    // session is resumed (it keeps its place in the queue) and the second replica admits it.
    let secondAdmission: Promise<unknown> | undefined;
    await firstGate.admit(newer, async () => {
      secondAdmission = (async () => {
        const { session: again } = await other.transitions.resume(resumed.id, 'Also cover partial refunds');
        return secondGate.admit(again, () => other.transitions.applyTransition(again.id, 'starting'));
      })();
      await new Promise(resolve => setTimeout(resolve, 300));
      await db.transitions.applyTransition(newer.id, 'starting');
    });
    expect(await secondAdmission).toBe('queued');
    const starting = await knex('agents_sessions').where({ status: 'starting' }).select('id');
    expect(starting.map(r => r.id)).toEqual([newer.id]);
  });

  it('admits sessions of an uncapped policy without counting', async () => {
    const sessions: SessionWithRuns[] = [];
    for (let i = 0; i < 5; i++) sessions.push((await db.sessions.createSession(newSessionInput())).session);
    const gate = new ConcurrencyGate(db.admission);
    await Promise.all(sessions.map(s => gate.admit(s, () => db.transitions.applyTransition(s.id, 'starting'))));
    const starting = await knex('agents_sessions').where({ status: 'starting' }).count({ n: '*' });
    expect(Number(starting[0].n)).toBe(5);
  });
});

describe('ConcurrencyGate batching', () => {
  it('checks a burst of admissions under one hold of the admission lock, each with its own count', async () => {
    let holds = 0;
    const checked: string[] = [];
    const admission = {
      withAdmissionLock: async <T>(fn: () => Promise<T>) => {
        holds++;
        return fn();
      },
      // Two sessions are already active in the policy: only the first of the burst fits a cap of 3.
      concurrency: async (session: AdmissionSubject | string) => {
        checked.push(typeof session === 'string' ? session : session.id);
        return { policy: { active: 2, waitingBefore: checked.length - 1 } };
      },
    };
    const gate = new ConcurrencyGate(admission);
    const session = (id: string) =>
      ({ id, entityRef: 'component:default/a', policy: { name: 'capped', snapshot: { maxConcurrentGlobal: 3 } } }) as unknown as SessionWithRuns;
    const results = await Promise.all(
      ['s1', 's2', 's3'].map(id => gate.admit(session(id), async () => `claimed ${id}`)),
    );
    expect(results).toEqual(['claimed s1', 'queued', 'queued']);
    expect(checked).toEqual(['s1', 's2', 's3']);
    expect(holds).toBe(1);
  });

  it('answers each admission of a batch on its own when its claim fails', async () => {
    const gate = new ConcurrencyGate({
      withAdmissionLock: async fn => fn(),
      concurrency: async () => ({}),
    });
    const session = (id: string) =>
      ({ id, entityRef: 'component:default/a', policy: { name: 'capped', snapshot: { maxConcurrentGlobal: 3 } } }) as unknown as SessionWithRuns;
    const failing = gate.admit(session('s1'), async () => {
      throw new Error('conflict');
    });
    const passing = gate.admit(session('s2'), async () => 'claimed');
    await expect(failing).rejects.toThrow('conflict');
    await expect(passing).resolves.toBe('claimed');
  });
});
