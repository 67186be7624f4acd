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
});
