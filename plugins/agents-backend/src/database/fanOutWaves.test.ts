import { ConflictError } from '@backstage/errors';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

describeOnEachDatabase('fan-outs in waves', t => {
  const capped = { name: 'capped', snapshot: { ...newSessionInput().policy.snapshot, maxConcurrentPerEntity: 1 } };
  const fanOut = async () =>
    (
      await t.db.sessions.createSession(
        newSessionInput({ kind: 'fanout', prompt: 'Implement 001-ledger', integrationBranch: 'specs/001-ledger/integration' }),
      )
    ).session;
  const task = async (parentSessionId: string, taskId: string, wave: number) =>
    (
      await t.db.sessions.createSession(
        newSessionInput({
          parentSessionId,
          origin: { kind: 'speckit', taskId },
          workBranch: `specs/001-ledger/${taskId}-async`,
          baseBranch: 'specs/001-ledger/integration',
          policy: capped,
          wave,
        }),
      )
    ).session;
  const finish = async (id: string, to: 'succeeded' | 'failed') => {
    await t.db.transitions.transition(id, 'starting');
    await t.db.transitions.transition(id, 'running');
    return t.db.transitions.transition(id, to);
  };
  const activeIds = async () => (await t.db.sessions.listActiveSessions()).map(s => s.id);

  it('stores the wave fields and reads them back', async () => {
    const parent = await fanOut();
    expect(parent).toMatchObject({ integrationBranch: 'specs/001-ledger/integration', currentWave: 1 });
    expect(parent.waveError).toBeUndefined();
    const t1 = await task(parent.id, 'T001', 1);
    expect(t1).toMatchObject({ wave: 1, baseBranch: 'specs/001-ledger/integration' });
    expect(t1.currentWave).toBeUndefined();
    const plain = (await t.db.sessions.createSession(newSessionInput())).session;
    expect(plain).not.toHaveProperty('wave');
    expect(plain).not.toHaveProperty('integrationBranch');
  });

  it('holds tasks of later waves out of the launch list, the claim and the concurrency counts', async () => {
    const parent = await fanOut();
    // Created last wave first, as clients do; the wave-1 task is the newest.
    const t3 = await task(parent.id, 'T003', 2);
    const t1 = await task(parent.id, 'T001', 1);
    const other = (await t.db.sessions.createSession(newSessionInput({ policy: capped }))).session;

    expect(await activeIds()).toEqual([t1.id, other.id]);
    // The held task is older, but waits for its wave, not for a slot: nobody waits ahead of T001.
    expect((await t.db.admission.concurrency(t1.id)).entity).toEqual({ active: 0, waitingBefore: 0 });
    expect((await t.db.admission.concurrency(other.id)).entity).toEqual({ active: 0, waitingBefore: 1 });
    await expect(t.db.transitions.transition(t3.id, 'starting')).rejects.toThrow(ConflictError);
    expect((await t.db.sessions.getSession(t3.id))!.status).toBe('pending');

    expect(await t.db.waves.advance(parent.id, 1, 2)).toBe(false); // T001 has not succeeded
    await finish(t1.id, 'succeeded');
    expect(await t.db.waves.advance(parent.id, 1, 2)).toBe(true);
    expect(await activeIds()).toEqual([t3.id, other.id]);
    expect((await t.db.admission.concurrency(other.id)).entity).toEqual({ active: 0, waitingBefore: 1 });
    await t.db.transitions.transition(t3.id, 'starting');
  });

  it('advances a wave once: a compare-and-set on the wave it was decided from', async () => {
    const parent = await fanOut();
    await task(parent.id, 'T002', 2);
    const t1 = await task(parent.id, 'T001', 1);
    await finish(t1.id, 'succeeded');
    const moves = await Promise.all([t.db.waves.advance(parent.id, 1, 2), t.db.waves.advance(parent.id, 1, 2)]);
    expect(moves.sort()).toEqual([false, true]);
    expect(await t.db.waves.advance(parent.id, 1, 2)).toBe(false);
    expect((await t.db.sessions.getSessionFields(parent.id))!.currentWave).toBe(2);
  });

  it('keeps a fan-out in waves running until its last wave is merged', async () => {
    const parent = await fanOut();
    const t2 = await task(parent.id, 'T002', 2);
    const t1 = await task(parent.id, 'T001', 1);
    await finish(t1.id, 'succeeded');
    await t.db.waves.advance(parent.id, 1, 2);
    await finish(t2.id, 'succeeded');
    // Every task succeeded, but wave 2 is not merged into the integration branch yet.
    expect((await t.db.sessions.getSession(parent.id))!.status).toBe('running');
    expect(await t.db.waves.advance(parent.id, 2, 3)).toBe(true);
    const done = (await t.db.sessions.getSession(parent.id))!;
    expect(done.status).toBe('succeeded');
    expect(done.finishedAt).toBeDefined();

    // A fan-out stopped by a failed wave ends with its tasks, as before.
    const stopped = await fanOut();
    await task(stopped.id, 'T002', 2);
    const s1 = await task(stopped.id, 'T001', 1);
    await finish(s1.id, 'failed');
    await t.db.waves.stop(stopped.id, 1, 'Wave 1 ended with T001 failed');
    expect((await t.db.sessions.getSession(stopped.id))!.status).not.toBe('succeeded');
  });

  it('stops once, keeps a stopped fan-out from advancing, and refuses tasks for waves that are over', async () => {
    const parent = await fanOut();
    await task(parent.id, 'T002', 2);
    const t1 = await task(parent.id, 'T001', 1);
    await finish(t1.id, 'failed');
    expect(await t.db.waves.stop(parent.id, 1, 'Wave 1 ended with T001 failed')).toBe(true);
    expect(await t.db.waves.stop(parent.id, 1, 'again')).toBe(false);
    expect(await t.db.waves.advance(parent.id, 1, 2)).toBe(false);
    expect((await t.db.sessions.getSessionFields(parent.id))!.waveError).toBe('Wave 1 ended with T001 failed');
    await expect(task(parent.id, 'T009', 3)).rejects.toThrow('runs no further waves');

    const other = await fanOut();
    const o1 = await task(other.id, 'T001', 1);
    await finish(o1.id, 'succeeded');
    await t.db.waves.advance(other.id, 1, 2);
    await expect(task(other.id, 'T005', 1)).rejects.toThrow('Wave 1 of fan-out session');
    expect(await t.db.sessions.listChildSessions(other.id)).toHaveLength(1);
  });

  it('lists tasks by wave in task order, and the fan-outs a crash left behind', async () => {
    const parent = await fanOut();
    const t10 = await task(parent.id, 'T010', 2);
    const t9 = await task(parent.id, 'T009', 1);
    const t2 = await task(parent.id, 'T002', 1);
    expect((await t.db.waves.tasksOf(parent.id)).map(x => [x.taskId, x.wave])).toEqual([
      ['T002', 1],
      ['T009', 1],
      ['T010', 2],
    ]);
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([]);
    await finish(t2.id, 'succeeded');
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([]);
    await finish(t9.id, 'failed');
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([parent.id]);
    await t.db.waves.stop(parent.id, 1, 'Wave 1 ended with T009 failed');
    // Stopped with a task still held: listed until it is cancelled.
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([parent.id]);
    await t.db.transitions.transition(t10.id, 'cancelled');
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([]);
  });
});
