import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  createTestDatabases,
  databaseServiceFor,
} from '../__testUtils__/testDatabases';
import { MIGRATIONS_DIR } from './migrations';
import { SessionStore } from './SessionStore';
import { newSessionInput } from '../__testUtils__/newSessionInput';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const newSession = newSessionInput;

describe.each(databases.eachSupportedId())('SessionStore on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let store: SessionStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    store = await SessionStore.create({ database: databaseServiceFor(knex) });
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  it('migrates down and up again', async () => {
    await knex.migrate.rollback(
      { directory: MIGRATIONS_DIR, tableName: 'agents_knex_migrations' },
      true,
    );
    for (const table of ['agents_sessions', 'agents_runs', 'agents_log_chunks', 'agents_bundles']) {
      expect(await knex.schema.hasTable(table)).toBe(false);
    }
    store = await SessionStore.create({ database: databaseServiceFor(knex) });
    for (const table of ['agents_sessions', 'agents_runs', 'agents_log_chunks', 'agents_bundles']) {
      expect(await knex.schema.hasTable(table)).toBe(true);
    }
  });

  it('writes a session with its first run and reads it back', async () => {
    const { session, created } = await store.createSession(
      newSession({ origin: { kind: 'scaffolder', templateRef: 'template:default/fix', stepId: 'launch' } }),
    );
    expect(created).toBe(true);
    expect(session).toMatchObject({
      entityRef: 'component:default/payments',
      entityOwnerRef: 'group:default/team-a',
      status: 'pending',
      workBranch: `agents/${session.id.split('-')[0]}`,
      policy: { name: 'default', snapshot: { timeoutSeconds: 60 } },
      origin: { kind: 'scaffolder', templateRef: 'template:default/fix', stepId: 'launch' },
    });
    expect(session.runs).toEqual([
      expect.objectContaining({ attempt: 1, kind: 'initial', phase: 'pending', prompt: 'Add a refund endpoint' }),
    ]);
    expect(await store.getSession(session.id)).toEqual(session);
    expect(await store.getSession('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('returns the same session for the same idempotency key, even when racing', async () => {
    const input = newSession({ idempotencyKey: 'task-1/step-launch' });
    const results = await Promise.all([1, 2, 3].map(() => store.createSession(input)));
    const ids = new Set(results.map(r => r.session.id));
    expect(ids.size).toBe(1);
    expect(results.filter(r => r.created)).toHaveLength(1);
    expect(Number((await knex('agents_sessions').count({ n: '*' }))[0].n)).toBe(1);
    // The key is scoped to its creator.
    const other = await store.createSession({ ...input, createdBy: 'user:default/joe' });
    expect(other.created).toBe(true);
    expect(other.session.id).not.toEqual(results[0].session.id);
  });

  it('lists newest first with stable keyset pages and filters', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { session } = await store.createSession(
        newSession({
          prompt: `task ${i}`,
          entityRef: i % 2 ? 'component:default/odd' : 'component:default/payments',
          createdBy: i < 3 ? 'user:default/joe' : 'user:default/jane',
        }),
      );
      created.push(session.id);
    }
    const newestFirst = [...created].reverse();

    const first = await store.listSessions({ filter: {}, limit: 3 });
    expect(first.items.map(s => s.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.nextSeq).toBeDefined();
    // A session created between pages does not shift the next page.
    await store.createSession(newSession({ prompt: 'late' }));
    const second = await store.listSessions({ filter: {}, limit: 3, beforeSeq: first.nextSeq });
    expect(second.items.map(s => s.id)).toEqual(newestFirst.slice(3, 6));
    const third = await store.listSessions({ filter: {}, limit: 3, beforeSeq: second.nextSeq });
    expect(third.items.map(s => s.id)).toEqual(newestFirst.slice(6));
    expect(third.nextSeq).toBeUndefined();

    const odd = await store.listSessions({ filter: { entityRef: 'component:default/odd' }, limit: 10 });
    expect(odd.items.map(s => s.prompt)).toEqual(['task 5', 'task 3', 'task 1']);
    const joe = await store.listSessions({ filter: { createdBy: 'user:default/joe' }, limit: 10 });
    expect(joe.items.map(s => s.prompt)).toEqual(['task 2', 'task 1', 'task 0']);
    const running = await store.listSessions({ filter: { statuses: ['running'] }, limit: 10 });
    expect(running.items).toEqual([]);
  });

  it('applies conditional permission filters in SQL', async () => {
    await store.createSession(newSession({ prompt: 'a', entityOwnerRef: 'group:default/team-a' }));
    await store.createSession(newSession({ prompt: 'b', entityOwnerRef: 'group:default/team-b' }));
    await store.createSession(
      newSession({ prompt: 'c', entityOwnerRef: 'group:default/team-b', createdBy: 'user:default/joe' }),
    );
    const list = (permissionFilter: any) =>
      store
        .listSessions({ filter: {}, permissionFilter, limit: 10 })
        .then(p => p.items.map(s => s.prompt).sort());

    expect(await list({ property: 'entityOwnerRef', values: ['group:default/team-a'] })).toEqual(['a']);
    expect(
      await list({
        anyOf: [
          { property: 'entityOwnerRef', values: ['group:default/team-a'] },
          { property: 'createdBy', values: ['user:default/joe'] },
        ],
      }),
    ).toEqual(['a', 'c']);
    expect(
      await list({
        allOf: [
          { property: 'entityOwnerRef', values: ['group:default/team-b'] },
          { not: { property: 'createdBy', values: ['user:default/joe'] } },
        ],
      }),
    ).toEqual(['b']);
    expect(await list({ property: 'createdBy', values: [] })).toEqual([]);
  });

  it('moves status only as the status model allows', async () => {
    const { session } = await store.createSession(newSession());
    await store.transition(session.id, 'starting', { run: { podName: 'agents-run-1', namespace: 'agents' } });
    const { session: running } = await store.transition(session.id, 'running');
    expect(running.startedAt).toBeDefined();
    await expect(store.transition(session.id, 'pending')).rejects.toThrow(ConflictError);
    const { session: done } = await store.transition(session.id, 'succeeded', {
      summary: 'Added the endpoint',
      headCommit: 'abc123',
      run: { exitCode: 0, result: { status: 'succeeded', filesChanged: 2 } },
    });
    expect(done).toMatchObject({ status: 'succeeded', summary: 'Added the endpoint', headCommit: 'abc123' });
    expect(done.finishedAt).toBeDefined();
    expect(done.runs[0]).toMatchObject({
      phase: 'succeeded',
      podName: 'agents-run-1',
      namespace: 'agents',
      exitCode: 0,
      result: { status: 'succeeded', filesChanged: 2 },
    });
    await expect(store.transition(session.id, 'cancelled')).rejects.toThrow(
      'A succeeded session cannot become cancelled',
    );
    expect((await store.getSession(session.id))!.status).toBe('succeeded');
  });

  it('resumes a finished session with a new run, and only a finished one', async () => {
    const { session } = await store.createSession(newSession());
    await expect(store.resume(session.id, 'more')).rejects.toThrow(ConflictError);
    await store.transition(session.id, 'cancelled');
    const { session: resumed } = await store.resume(session.id, 'Also add tests');
    expect(resumed.status).toBe('pending');
    expect(resumed.finishedAt).toBeUndefined();
    expect(resumed.runs.map(r => [r.attempt, r.kind, r.phase, r.prompt])).toEqual([
      [1, 'initial', 'cancelled', 'Add a refund endpoint'],
      [2, 'resume', 'pending', 'Also add tests'],
    ]);
  });

  it('numbers log lines across chunks and reads after a cursor', async () => {
    const { session } = await store.createSession(newSession());
    const runId = session.runs[0].id;
    const ts = '2026-11-21T10:00:00.000Z';
    const a = await store.appendLogLines(session.id, runId, [
      { timestamp: ts, line: 'one' },
      { timestamp: ts, line: 'two' },
    ]);
    const b = await store.appendLogLines(session.id, runId, [
      { timestamp: ts, line: 'three' },
      { timestamp: ts, line: 'four' },
      { timestamp: ts, line: 'five' },
    ]);
    expect([...a, ...b].map(l => l.seq)).toEqual([1, 2, 3, 4, 5]);
    const read = async (after: number, limit?: number) => (await store.readLogLines(session.id, after, limit)).lines;
    expect((await read(0)).map(l => l.line)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect((await read(3)).map(l => `${l.seq}:${l.line}`)).toEqual(['4:four', '5:five']);
    expect(await store.readLogLines(session.id, 5)).toEqual({ lines: [], hasMore: false });
    // A limit cuts inside a chunk and says what is left.
    expect(await store.readLogLines(session.id, 1, 2)).toEqual({
      lines: [expect.objectContaining({ seq: 2 }), expect.objectContaining({ seq: 3 })],
      hasMore: true,
    });
    expect((await store.readLogLines(session.id, 3, 2)).hasMore).toBe(false);
  });

  it('pages through thousands of one-line chunks, as a slow agent writes them', async () => {
    const { session } = await store.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    for (let i = 1; i <= 2500; i++) {
      await store.appendLogLines(session.id, session.runs[0].id, [{ timestamp: ts, line: `line ${i}` }]);
    }
    const seen: number[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = await store.readLogLines(session.id, after, 1000);
      seen.push(...page.lines.map(l => l.seq));
      pages++;
      if (!page.hasMore) break;
      after = page.lines[page.lines.length - 1].seq;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('pages through large chunks, starting inside one', async () => {
    const { session } = await store.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    for (let c = 0; c < 3; c++) {
      await store.appendLogLines(
        session.id,
        session.runs[0].id,
        Array.from({ length: 1500 }, (_, i) => ({ timestamp: ts, line: `chunk ${c} line ${i}` })),
      );
    }
    const first = await store.readLogLines(session.id, 700, 1000);
    expect(first.lines.map(l => l.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 701 + i));
    expect(first.lines[800].line).toBe('chunk 1 line 0');
    expect(first.hasMore).toBe(true);
    const last = await store.readLogLines(session.id, 4000, 1000);
    expect(last.lines.map(l => l.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 4001 + i));
    expect(last.hasMore).toBe(false);
  });

  it('keeps seqs unique when lines are appended concurrently', async () => {
    const { session } = await store.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    await Promise.all(
      [0, 1, 2, 3, 4].map(i =>
        store.appendLogLines(session.id, session.runs[0].id, [
          { timestamp: ts, line: `${i}a` },
          { timestamp: ts, line: `${i}b` },
        ]),
      ),
    );
    const { lines } = await store.readLogLines(session.id, 0);
    expect(lines.map(l => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(lines.map(l => l.line)).size).toBe(10);
  });
});
