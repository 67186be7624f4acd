import { mockServices } from '@backstage/backend-test-utils';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { SessionEventHub, type SessionEvent } from '../events/SessionEventHub';
import type { BranchMerge } from '../github/IntegrationBranches';
import { newSessionInput } from '../testUtils/newSessionInput';
import { FanOutWaves } from './FanOutWaves';

jest.setTimeout(60_000);

const INTEGRATION = 'specs/001-ledger/integration';

describeOnEachDatabase('advancing fan-outs in waves', t => {
  /** Merges recorded as `head → base`; `answer` decides GitHub's answer per head. */
  const setup = (answer: (head: string) => Promise<BranchMerge> = async () => ({ outcome: 'merged', sha: 'abc' })) => {
    const merges: string[] = [];
    const events: SessionEvent[] = [];
    const hub = new SessionEventHub();
    hub.on('updated', event => events.push(event));
    const runtime = { sessionQueued: jest.fn(), sessionCancelled: jest.fn(async () => {}), launchQueued: jest.fn(async () => {}) };
    const replica = () =>
      new FanOutWaves({
        sessions: t.db.sessions,
        waves: t.db.waves,
        transitions: t.db.transitions,
        branches: {
          merge: async (_repoUrl, { base, head }) => {
            merges.push(`${head} → ${base}`);
            return answer(head);
          },
        },
        hub,
        runtime,
        logger: mockServices.logger.mock(),
      });
    return { merges, events, runtime, waves: replica(), replica };
  };
  const fanOut = async () =>
    (await t.db.sessions.createSession(newSessionInput({ kind: 'fanout', integrationBranch: INTEGRATION }))).session;
  const task = async (parentSessionId: string, taskId: string, wave: number) =>
    (
      await t.db.sessions.createSession(
        newSessionInput({ parentSessionId, origin: { kind: 'speckit', taskId }, workBranch: `specs/001-ledger/${taskId}`, wave }),
      )
    ).session.id;
  const finish = async (id: string, to: 'succeeded' | 'failed' | 'timed_out') => {
    await t.db.transitions.transition(id, 'starting');
    await t.db.transitions.transition(id, 'running');
    await t.db.transitions.transition(id, to);
  };
  const fields = async (id: string) => (await t.db.sessions.getSessionFields(id))!;

  it('catches up on a finished wave nobody advanced: merges in task order, advances once, launches the next', async () => {
    const { merges, events, runtime, waves, replica } = setup();
    const parent = await fanOut();
    const t3 = await task(parent.id, 'T010', 2);
    const t2 = await task(parent.id, 'T009', 1);
    const t1 = await task(parent.id, 'T002', 1);
    await finish(t1, 'succeeded');
    await waves.check(parent.id);
    expect(merges).toEqual([]); // T009 is still pending
    await finish(t2, 'succeeded');

    // Two replicas catch up at the same moment (no event was heard): the wave moves once.
    await Promise.all([waves.catchUp(), replica().catchUp()]);
    expect(merges.slice(0, 2)).toEqual([`specs/001-ledger/T002 → ${INTEGRATION}`, `specs/001-ledger/T009 → ${INTEGRATION}`]);
    expect(await fields(parent.id)).toMatchObject({ currentWave: 2 });
    expect(runtime.launchQueued).toHaveBeenCalledTimes(1);
    expect(events.map(e => e.type === 'updated' && e.session.id)).toEqual([parent.id]);
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([]);

    // The last wave merged: one past it, nothing to launch.
    await finish(t3, 'succeeded');
    await waves.check(parent.id);
    expect(await fields(parent.id)).toMatchObject({ currentWave: 3, status: 'succeeded' });
    expect(runtime.launchQueued).toHaveBeenCalledTimes(1);
  });

  it('leaves the wave as it was when GitHub cannot be reached, for a later pass to retry', async () => {
    let reachable = false;
    const { waves } = setup(async () => {
      if (!reachable) throw new Error('GitHub could not be reached');
      return { outcome: 'up-to-date' };
    });
    const parent = await fanOut();
    await task(parent.id, 'T002', 2);
    await finish(await task(parent.id, 'T001', 1), 'succeeded');
    await waves.check(parent.id);
    expect(await fields(parent.id)).toMatchObject({ currentWave: 1 });
    expect(await t.db.waves.fanOutsToCatchUp(10)).toEqual([parent.id]);
    reachable = true;
    await waves.catchUp();
    expect(await fields(parent.id)).toMatchObject({ currentWave: 2 });
  });

  it('stops at a wave that did not succeed and cancels the held tasks with the reason', async () => {
    const { merges, runtime, waves } = setup();
    const parent = await fanOut();
    const later = [await task(parent.id, 'T009', 3), await task(parent.id, 'T007', 2), await task(parent.id, 'T008', 2)];
    await finish(await task(parent.id, 'T001', 1), 'succeeded');
    await finish(await task(parent.id, 'T003', 1), 'timed_out');
    await waves.check(parent.id);
    const reason = 'Wave 1 ended with T003 timed out: waves 2–3 (T007, T008, T009) were not started';
    expect(await fields(parent.id)).toMatchObject({ currentWave: 1, waveError: reason, status: 'failed' });
    expect(merges).toEqual([]);
    for (const id of later) {
      const held = await t.db.sessions.getSession(id);
      expect(held).toMatchObject({ status: 'cancelled', runs: [expect.objectContaining({ reason })] });
    }
    expect(runtime.sessionCancelled).toHaveBeenCalledTimes(3);
  });

  it('stops on a conflict, naming the task and both branches, after merging the tasks before it', async () => {
    const { merges, waves } = setup(async head =>
      head.endsWith('T002') ? { outcome: 'refused', reason: 'conflict', message: 'Merge conflict' } : { outcome: 'merged', sha: 'abc' },
    );
    const parent = await fanOut();
    const held = await task(parent.id, 'T003', 2);
    await finish(await task(parent.id, 'T001', 1), 'succeeded');
    await finish(await task(parent.id, 'T002', 1), 'succeeded');
    await waves.check(parent.id);
    expect(merges).toHaveLength(2);
    const { waveError, status } = await fields(parent.id);
    expect(waveError).toContain(`Merging T002 (specs/001-ledger/T002) into ${INTEGRATION} in wave 1 conflicts`);
    expect(waveError).toContain('wave 2 (T003) was not started');
    expect(status).toBe('cancelled');
    expect((await t.db.sessions.getSession(held))!.status).toBe('cancelled');
  });
});
