import { ConflictError } from '@backstage/errors';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const newSession = newSessionInput;

describeOnEachDatabase('TransitionStore', t => {
  it('moves status only as the status model allows', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    await t.db.transitions.transition(session.id, 'starting', { run: { podName: 'agents-run-1', namespace: 'agents' } });
    const { session: running } = await t.db.transitions.transition(session.id, 'running');
    expect(running.startedAt).toBeDefined();
    await expect(t.db.transitions.transition(session.id, 'pending')).rejects.toThrow(ConflictError);
    const { session: done } = await t.db.transitions.transition(session.id, 'succeeded', {
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
    await expect(t.db.transitions.transition(session.id, 'cancelled')).rejects.toThrow(
      'A succeeded session cannot become cancelled',
    );
    expect((await t.db.sessions.getSession(session.id))!.status).toBe('succeeded');
  });

  it('resumes a finished session with a new run, and only a finished one', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    await expect(t.db.transitions.resume(session.id, 'more')).rejects.toThrow(ConflictError);
    await t.db.transitions.transition(session.id, 'cancelled');
    const { session: resumed } = await t.db.transitions.resume(session.id, 'Also add tests');
    expect(resumed.status).toBe('pending');
    expect(resumed.finishedAt).toBeUndefined();
    expect(resumed.runs.map(r => [r.attempt, r.kind, r.phase, r.prompt])).toEqual([
      [1, 'initial', 'cancelled', 'Add a refund endpoint'],
      [2, 'resume', 'pending', 'Also add tests'],
    ]);
  });

  it('claims a pending session for launch once, with its latest run only', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const runId = session.runs[0].id;
    const claims = await Promise.allSettled(
      [1, 2, 3].map(i => t.db.transitions.claimLaunch(session, runId, { podName: `agents-run-${i}`, runTokenHash: `hash-${i}` })),
    );
    expect(claims.filter(c => c.status === 'fulfilled')).toHaveLength(1);
    const reasons = claims.flatMap(c => (c.status === 'rejected' ? [c.reason] : []));
    expect(reasons).toEqual([expect.any(ConflictError), expect.any(ConflictError)]);
    const claimed = (await t.db.sessions.getSession(session.id))!;
    expect(claimed.status).toBe('starting');
    expect(claimed.runs).toEqual([expect.objectContaining({ id: runId, phase: 'starting', podName: expect.stringMatching(/^agents-run-[123]$/) })]);

    // A session resumed since the caller read it has a newer run: the old one is not claimed.
    await t.db.transitions.transition(session.id, 'failed');
    await t.db.transitions.resume(session.id, 'again');
    await expect(t.db.transitions.claimLaunch(session, runId, { podName: 'stale' })).rejects.toThrow(ConflictError);
    const resumed = (await t.db.sessions.getSession(session.id))!;
    expect(resumed.status).toBe('pending');
    expect(resumed.runs.map(r => [r.phase, r.podName])).toEqual([
      ['failed', claimed.runs[0].podName],
      ['pending', undefined],
    ]);
    // Nor is a run of another session.
    const { session: other } = await t.db.sessions.createSession(newSession({ prompt: 'other' }));
    await expect(t.db.transitions.claimLaunch(resumed, other.runs[0].id, {})).rejects.toThrow(ConflictError);
    expect((await t.db.sessions.getSession(resumed.id))!.status).toBe('pending');
    expect((await t.db.sessions.getSession(other.id))!.runs[0].phase).toBe('pending');
  });

  it("claims a fan-out's task through the status model: the fan-out runs from then on", async () => {
    const { session: fanOut } = await t.db.sessions.createSession(newSession({ kind: 'fanout' }));
    const { session: task } = await t.db.sessions.createSession(newSession({ parentSessionId: fanOut.id }));
    const changes = await t.db.transitions.claimLaunch(task, task.runs[0].id, { podName: 'agents-run-task' });
    expect(changes.map(c => [c.id, c.status])).toEqual([
      [task.id, 'starting'],
      [fanOut.id, 'running'],
    ]);
  });

  it("refuses to claim a task whose wave has not come, and claims it once the fan-out is at its wave", async () => {
    const { session: fanOut } = await t.db.sessions.createSession(
      newSession({ kind: 'fanout', integrationBranch: 'specs/001-waves' }),
    );
    const { session: later } = await t.db.sessions.createSession(newSession({ parentSessionId: fanOut.id, wave: 2 }));
    const { session: now } = await t.db.sessions.createSession(newSession({ parentSessionId: fanOut.id, wave: 1 }));
    await expect(t.db.transitions.claimLaunch(later, later.runs[0].id, { podName: 'early' })).rejects.toThrow(
      /belongs to wave 2 of fan-out .* which is at wave 1; it starts when its wave does/,
    );
    expect((await t.db.sessions.getSession(later.id))!).toMatchObject({ status: 'pending', runs: [{ phase: 'pending' }] });
    await t.db.transitions.claimLaunch(now, now.runs[0].id, { podName: 'agents-run-now' });
    expect((await t.db.sessions.getSession(now.id))!).toMatchObject({ status: 'starting', runs: [{ podName: 'agents-run-now' }] });
    expect((await t.db.sessions.getSession(fanOut.id))!.status).toBe('running');
    await t.knex('agents_sessions').where({ id: fanOut.id }).update({ current_wave: 2 });
    await t.db.transitions.claimLaunch(later, later.runs[0].id, { podName: 'agents-run-later' });
    expect((await t.db.sessions.getSession(later.id))!.status).toBe('starting');
    // Claimed once only.
    await expect(t.db.transitions.claimLaunch(later, later.runs[0].id, {})).rejects.toThrow(ConflictError);
  });
});
