import type { TestDatabaseId } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  createTestDatabases,
  databaseServiceFor,
} from '../__testUtils__/testDatabases';
import { AgentsDatabase } from './AgentsDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const newSession = newSessionInput;

describe.each(databases.eachSupportedId())('TransitionStore on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let db: AgentsDatabase;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    db = await AgentsDatabase.create({ database: databaseServiceFor(knex) });
  });

  afterEach(async () => {
    await knex('agents_sessions').delete();
  });

  it('moves status only as the status model allows', async () => {
    const { session } = await db.sessions.createSession(newSession());
    await db.transitions.transition(session.id, 'starting', { run: { podName: 'agents-run-1', namespace: 'agents' } });
    const { session: running } = await db.transitions.transition(session.id, 'running');
    expect(running.startedAt).toBeDefined();
    await expect(db.transitions.transition(session.id, 'pending')).rejects.toThrow(ConflictError);
    const { session: done } = await db.transitions.transition(session.id, 'succeeded', {
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
    await expect(db.transitions.transition(session.id, 'cancelled')).rejects.toThrow(
      'A succeeded session cannot become cancelled',
    );
    expect((await db.sessions.getSession(session.id))!.status).toBe('succeeded');
  });

  it('resumes a finished session with a new run, and only a finished one', async () => {
    const { session } = await db.sessions.createSession(newSession());
    await expect(db.transitions.resume(session.id, 'more')).rejects.toThrow(ConflictError);
    await db.transitions.transition(session.id, 'cancelled');
    const { session: resumed } = await db.transitions.resume(session.id, 'Also add tests');
    expect(resumed.status).toBe('pending');
    expect(resumed.finishedAt).toBeUndefined();
    expect(resumed.runs.map(r => [r.attempt, r.kind, r.phase, r.prompt])).toEqual([
      [1, 'initial', 'cancelled', 'Add a refund endpoint'],
      [2, 'resume', 'pending', 'Also add tests'],
    ]);
  });
});
