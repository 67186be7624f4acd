import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const newSession = newSessionInput;

describeOnEachDatabase('SessionStore', t => {
  it('writes a session with its first run and reads it back', async () => {
    const { session, created } = await t.db.sessions.createSession(
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
    expect(await t.db.sessions.getSession(session.id)).toEqual(session);
    expect(await t.db.sessions.getSession('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('returns a new fan-out and its tasks exactly as they read back', async () => {
    const { session: fanOut } = await t.db.sessions.createSession(
      newSession({ kind: 'fanout', integrationBranch: 'specs/001-waves', prompt: 'Implement 001' }),
    );
    expect(fanOut.runs).toEqual([]);
    expect(await t.db.sessions.getSession(fanOut.id)).toEqual(fanOut);
    const { session: task } = await t.db.sessions.createSession(
      newSession({
        parentSessionId: fanOut.id,
        wave: 2,
        workBranch: 'specs/001-waves/T1',
        issueUrl: 'https://github.com/acme/payments/issues/7',
        origin: { kind: 'speckit', taskId: 'T1' },
      }),
    );
    expect(task).toMatchObject({ parentSessionId: fanOut.id, wave: 2, workBranch: 'specs/001-waves/T1' });
    expect(await t.db.sessions.getSession(task.id)).toEqual(task);
  });

  it('returns the same session for the same idempotency key, even when racing', async () => {
    const input = newSession({ idempotencyKey: 'task-1/step-launch' });
    const results = await Promise.all([1, 2, 3].map(() => t.db.sessions.createSession(input)));
    const ids = new Set(results.map(r => r.session.id));
    expect(ids.size).toBe(1);
    expect(results.filter(r => r.created)).toHaveLength(1);
    expect(Number((await t.knex('agents_sessions').count({ n: '*' }))[0].n)).toBe(1);
    // The key is scoped to its creator.
    const other = await t.db.sessions.createSession({ ...input, createdBy: 'user:default/joe' });
    expect(other.created).toBe(true);
    expect(other.session.id).not.toEqual(results[0].session.id);
  });

  it('lists newest first with stable keyset pages and filters', async () => {
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { session } = await t.db.sessions.createSession(
        newSession({
          prompt: `task ${i}`,
          entityRef: i % 2 ? 'component:default/odd' : 'component:default/payments',
          createdBy: i < 3 ? 'user:default/joe' : 'user:default/jane',
        }),
      );
      created.push(session.id);
    }
    const newestFirst = [...created].reverse();

    const first = await t.db.sessions.listSessions({ filter: {}, limit: 3 });
    expect(first.items.map(s => s.id)).toEqual(newestFirst.slice(0, 3));
    expect(first.nextSeq).toBeDefined();
    // A session created between pages does not shift the next page.
    await t.db.sessions.createSession(newSession({ prompt: 'late' }));
    const second = await t.db.sessions.listSessions({ filter: {}, limit: 3, beforeSeq: first.nextSeq });
    expect(second.items.map(s => s.id)).toEqual(newestFirst.slice(3, 6));
    const third = await t.db.sessions.listSessions({ filter: {}, limit: 3, beforeSeq: second.nextSeq });
    expect(third.items.map(s => s.id)).toEqual(newestFirst.slice(6));
    expect(third.nextSeq).toBeUndefined();

    const odd = await t.db.sessions.listSessions({ filter: { entityRef: 'component:default/odd' }, limit: 10 });
    expect(odd.items.map(s => s.prompt)).toEqual(['task 5', 'task 3', 'task 1']);
    const joe = await t.db.sessions.listSessions({ filter: { createdBy: 'user:default/joe' }, limit: 10 });
    expect(joe.items.map(s => s.prompt)).toEqual(['task 2', 'task 1', 'task 0']);
    const running = await t.db.sessions.listSessions({ filter: { statuses: ['running'] }, limit: 10 });
    expect(running.items).toEqual([]);
  });

  it('lists several statuses newest first, in keyset pages across them', async () => {
    const statuses = ['running', 'failed', 'pending', 'succeeded', 'running', 'pending', 'failed', 'running'];
    for (const [i, status] of statuses.entries()) {
      const { session } = await t.db.sessions.createSession(
        newSession({ prompt: `task ${i}`, createdBy: i === 4 ? 'user:default/joe' : 'user:default/jane' }),
      );
      await t.knex('agents_sessions').where({ id: session.id }).update({ status });
    }
    await t.db.sessions.createSession(newSession({ prompt: 'elsewhere', entityRef: 'component:default/odd' }));
    const unfinished = { entityRef: 'component:default/payments', statuses: ['pending' as const, 'running' as const] };

    const first = await t.db.sessions.listSessions({ filter: unfinished, limit: 3 });
    expect(first.items.map(s => s.prompt)).toEqual(['task 7', 'task 5', 'task 4']);
    const second = await t.db.sessions.listSessions({
      filter: unfinished,
      limit: 3,
      beforeSeq: first.nextSeq,
    });
    expect(second.items.map(s => s.prompt)).toEqual(['task 2', 'task 0']);
    expect(second.nextSeq).toBeUndefined();

    // With the other filters and a permission filter applied to every status.
    const notJoe = await t.db.sessions.listSessions({
      filter: { entityRef: 'component:default/payments', statuses: ['running', 'failed', 'running'] },
      permissionFilter: { not: { property: 'createdBy', values: ['user:default/joe'] } },
      limit: 10,
    });
    expect(notJoe.items.map(s => s.prompt)).toEqual(['task 7', 'task 6', 'task 1', 'task 0']);
    expect(notJoe.nextSeq).toBeUndefined();
  });

  it('applies conditional permission filters in SQL', async () => {
    await t.db.sessions.createSession(newSession({ prompt: 'a', entityOwnerRef: 'group:default/team-a' }));
    await t.db.sessions.createSession(newSession({ prompt: 'b', entityOwnerRef: 'group:default/team-b' }));
    await t.db.sessions.createSession(
      newSession({ prompt: 'c', entityOwnerRef: 'group:default/team-b', createdBy: 'user:default/joe' }),
    );
    const list = (permissionFilter: any) =>
      t.db.sessions
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
});
