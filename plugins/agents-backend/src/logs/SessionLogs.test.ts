import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { SessionEventHub } from '../events/SessionEventHub';
import { newSessionInput } from '../testUtils/newSessionInput';
import { SessionLogs } from './SessionLogs';

jest.setTimeout(60_000);

describeOnEachDatabase('SessionLogs', t => {
  it("announces what it persists, and counts the backend's own notes as no line of the pod's log", async () => {
    const { session } = await t.db.sessions.createSession(newSessionInput());
    const runId = session.runs[0].id;
    const hub = new SessionEventHub();
    const heard: number[] = [];
    hub.subscribe(session.id, event => {
      if (event.type === 'lines') heard.push(...event.lines.map(l => l.seq));
    });
    const logs = new SessionLogs(t.db.logChunks, hub);
    const ts = '2026-12-05T10:00:00.000Z';
    await logs.append(session.id, runId, [{ timestamp: ts, line: 'a' }, { timestamp: ts, line: 'b' }], { sourceLines: 2 });
    await logs.append(session.id, runId, [{ timestamp: ts, line: '==> opened a pull request' }]);
    expect(heard).toEqual([1, 2, 3]);
    // A follower resuming this run skips the pod's two lines, not three.
    expect(await t.db.logChunks.countRunLogLines(runId)).toBe(2);
  });
});
