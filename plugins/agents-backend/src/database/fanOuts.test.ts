import { ConflictError } from '@backstage/errors';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

describeOnEachDatabase('fan-out sessions', t => {
  const fanOut = async () =>
    (await t.db.sessions.createSession(newSessionInput({ kind: 'fanout', prompt: 'Implement 001-ledger' }))).session;
  const child = async (parentSessionId: string, taskId: string) =>
    (
      await t.db.sessions.createSession(
        newSessionInput({
          parentSessionId,
          origin: { kind: 'speckit', taskId },
          workBranch: `specs/001-ledger/${taskId}-async`,
        }),
      )
    ).session;
  const finish = async (id: string, to: 'succeeded' | 'failed' | 'cancelled') => {
    await t.db.transitions.transition(id, 'starting');
    await t.db.transitions.transition(id, 'running');
    return t.db.transitions.transition(id, to);
  };

  it('writes a fan-out without a run; it waits, unlaunched, until it has children', async () => {
    const parent = await fanOut();
    expect(parent).toMatchObject({ kind: 'fanout', status: 'pending', runs: [], children: { total: 0, byStatus: {} } });
    expect((await t.db.sessions.listActiveSessions()).map(s => s.id)).not.toContain(parent.id);
  });

  it('follows its children: pending, running once one starts, and finished when all are', async () => {
    const parent = await fanOut();
    const [a, b, c] = [await child(parent.id, 'T001'), await child(parent.id, 'T002'), await child(parent.id, 'T003')];
    expect(a).toMatchObject({ kind: 'agent', parentSessionId: parent.id, origin: { kind: 'speckit', taskId: 'T001' } });
    expect(a.workBranch).toBe('specs/001-ledger/T001-async');
    expect(await t.db.sessions.getSession(parent.id)).toMatchObject({ status: 'pending', children: { total: 3, byStatus: { pending: 3 } } });

    await t.db.transitions.transition(a.id, 'starting');
    const running = await t.db.sessions.getSession(parent.id);
    expect(running).toMatchObject({ status: 'running', children: { byStatus: { pending: 2, starting: 1 } } });
    expect(running!.startedAt).toBeDefined();

    await t.db.transitions.transition(a.id, 'running');
    await t.db.transitions.transition(a.id, 'succeeded');
    await finish(b.id, 'succeeded');
    expect((await t.db.sessions.getSession(parent.id))!.status).toBe('running');
    await finish(c.id, 'failed');
    const failed = await t.db.sessions.getSession(parent.id);
    expect(failed).toMatchObject({ status: 'failed', children: { total: 3, byStatus: { succeeded: 2, failed: 1 } } });
    expect(failed!.finishedAt).toBeDefined();

    // Resuming the failed child reopens the fan-out.
    await t.db.transitions.resume(c.id, 'Try again with the migration first');
    const reopened = await t.db.sessions.getSession(parent.id);
    expect(reopened).toMatchObject({ status: 'running' });
    expect(reopened!.finishedAt).toBeUndefined();
    await finish(c.id, 'succeeded');
    expect((await t.db.sessions.getSession(parent.id))!.status).toBe('succeeded');
  });

  it("reports the fan-out's status with the task's whenever a task moves it", async () => {
    const parent = await fanOut();
    const task = (id: string, status: string) => ({ id, status, entityRef: parent.entityRef, parentSessionId: parent.id });
    const fan = (status: string) => ({ id: parent.id, status, entityRef: parent.entityRef, parentSessionId: undefined });

    const created = await t.db.sessions.createSession(
      newSessionInput({ parentSessionId: parent.id, origin: { kind: 'speckit', taskId: 'T001' } }),
    );
    const a = created.session;
    // The fan-out was pending and stays so: only the task is new.
    expect(created.changes).toEqual([task(a.id, 'pending')]);
    expect((await t.db.transitions.transition(a.id, 'starting')).changes).toEqual([task(a.id, 'starting'), fan('running')]);
    expect(await t.db.transitions.applyTransition(a.id, 'running')).toEqual([task(a.id, 'running')]);
    expect(await t.db.transitions.applyTransition(a.id, 'failed')).toEqual([task(a.id, 'failed'), fan('failed')]);
    expect((await t.db.transitions.resume(a.id, 'Try again')).changes).toEqual([task(a.id, 'pending'), fan('pending')]);
    const b = await child(parent.id, 'T002');
    await finish(b.id, 'succeeded');
    expect((await t.db.transitions.transition(a.id, 'cancelled')).changes).toEqual([task(a.id, 'cancelled'), fan('cancelled')]);
  });

  it('counts every child when many finish at the same moment', async () => {
    const parent = await fanOut();
    const children = [];
    for (let i = 0; i < 20; i++) children.push(await child(parent.id, `T${String(i).padStart(3, '0')}`));
    for (const c of children) {
      await t.db.transitions.transition(c.id, 'starting');
      await t.db.transitions.transition(c.id, 'running');
    }
    await Promise.all(children.map(c => t.db.transitions.transition(c.id, 'succeeded')));
    expect(await t.db.sessions.getSession(parent.id)).toMatchObject({
      status: 'succeeded',
      children: { total: 20, byStatus: { succeeded: 20 } },
    });
  });

  it('lists children with the fan-out, and summarises them in listings', async () => {
    const parent = await fanOut();
    const a = await child(parent.id, 'T001');
    await child(parent.id, 'T002');
    await finish(a.id, 'cancelled');
    const { items } = await t.db.sessions.listSessions({ filter: { parentSessionId: parent.id }, limit: 10 });
    expect(items.map(s => s.origin.taskId)).toEqual(['T002', 'T001']);
    const all = await t.db.sessions.listSessions({ filter: {}, limit: 10 });
    expect(all.items.find(s => s.id === parent.id)).toMatchObject({
      status: 'running',
      children: { total: 2, byStatus: { pending: 1, cancelled: 1 } },
    });
    expect(all.items.find(s => s.id === a.id)!.children).toBeUndefined();
    expect((await t.db.sessions.listChildSessions(parent.id, { unfinishedOnly: true })).map(s => s.origin.taskId)).toEqual([
      'T002',
    ]);
  });

  it('refuses to resume a fan-out itself', async () => {
    const parent = await fanOut();
    await finish((await child(parent.id, 'T001')).id, 'failed');
    await expect(t.db.transitions.resume(parent.id, 'again')).rejects.toThrow(ConflictError);
    await expect(t.db.transitions.resume(parent.id, 'again')).rejects.toThrow('resume the child sessions');
  });

  it('gives a requested branch to one unfinished session of a repository at a time', async () => {
    const parent = await fanOut();
    const first = await child(parent.id, 'T001');
    await expect(child(parent.id, 'T001')).rejects.toThrow(
      `Session ${first.id} is still working on branch specs/001-ledger/T001-async`,
    );
    expect((await t.db.sessions.listChildSessions(parent.id)).length).toBe(1);
    // Another repository may use the same name.
    await t.db.sessions.createSession(
      newSessionInput({ repoUrl: 'https://github.com/example-org/other', workBranch: 'specs/001-ledger/T001-async' }),
    );
    await finish(first.id, 'succeeded');
    expect((await child(parent.id, 'T001')).workBranch).toBe('specs/001-ledger/T001-async');
  });

  it('lets only one of several racing requests have a branch, and keeps a resume off a taken branch', async () => {
    const requested = { workBranch: 'agents/shared' };
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => t.db.sessions.createSession(newSessionInput(requested))),
    );
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(ConflictError);
    }
    const first = (results.find(r => r.status === 'fulfilled') as PromiseFulfilledResult<any>).value.session;
    await finish(first.id, 'succeeded');
    const second = (await t.db.sessions.createSession(newSessionInput(requested))).session;
    // Resume checks nothing itself: this refusal is the database's partial unique index, which also
    // stops a second replica that raced past another replica's check when creating.
    await expect(t.db.transitions.resume(first.id, 'more')).rejects.toThrow(
      'Another unfinished session works on branch agents/shared of https://github.com/example-org/payments now',
    );
    await finish(second.id, 'failed');
    expect((await t.db.transitions.resume(first.id, 'more')).session.status).toBe('pending');
  });

  it('counts concurrency per entity, per owner and per policy, leaving fan-outs out', async () => {
    const parent = await fanOut();
    const a = await child(parent.id, 'T001');
    const other = (
      await t.db.sessions.createSession(newSessionInput({ entityRef: 'component:default/ledger', repoUrl: 'https://github.com/example-org/ledger' }))
    ).session;
    const unowned = (
      await t.db.sessions.createSession(newSessionInput({ entityOwnerRef: undefined, entityRef: 'component:default/x' }))
    ).session;
    await t.db.transitions.transition(a.id, 'starting');
    expect(await t.db.admission.concurrency(other.id)).toEqual({
      entity: { active: 0, waitingBefore: 0 },
      owner: { active: 1, waitingBefore: 0 },
      policy: { active: 1, waitingBefore: 0 },
    });
    expect(await t.db.admission.concurrency(unowned.id)).toEqual({
      entity: { active: 0, waitingBefore: 0 },
      policy: { active: 1, waitingBefore: 1 },
    });
  });
});
