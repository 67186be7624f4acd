import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

const newSession = newSessionInput;

describeOnEachDatabase('LogChunkStore', t => {
  it('numbers log lines across chunks and reads after a cursor', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const runId = session.runs[0].id;
    const ts = '2026-11-21T10:00:00.000Z';
    const a = await t.db.logChunks.appendLogLines(session.id, runId, [
      { timestamp: ts, line: 'one' },
      { timestamp: ts, line: 'two' },
    ]);
    const b = await t.db.logChunks.appendLogLines(session.id, runId, [
      { timestamp: ts, line: 'three' },
      { timestamp: ts, line: 'four' },
      { timestamp: ts, line: 'five' },
    ]);
    expect([...a, ...b].map(l => l.seq)).toEqual([1, 2, 3, 4, 5]);
    const read = async (after: number, limit?: number) => (await t.db.logChunks.readLogLines(session.id, after, limit)).lines;
    expect((await read(0)).map(l => l.line)).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect((await read(3)).map(l => `${l.seq}:${l.line}`)).toEqual(['4:four', '5:five']);
    expect(await t.db.logChunks.readLogLines(session.id, 5)).toEqual({ lines: [], hasMore: false });
    // A limit cuts inside a chunk and says what is left.
    expect(await t.db.logChunks.readLogLines(session.id, 1, 2)).toEqual({
      lines: [expect.objectContaining({ seq: 2 }), expect.objectContaining({ seq: 3 })],
      hasMore: true,
    });
    expect((await t.db.logChunks.readLogLines(session.id, 3, 2)).hasMore).toBe(false);
  });

  it('numbers appends racing on one session densely, and refuses lines for a session that does not exist', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    const appended = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.db.logChunks.appendLogLines(session.id, session.runs[0].id, [
          { timestamp: ts, line: `${i}a` },
          { timestamp: ts, line: `${i}b` },
        ], { sourceLines: 3 }),
      ),
    );
    expect(appended.flat().map(l => l.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const { lines } = await t.db.logChunks.readLogLines(session.id, 0, 100);
    expect(lines.map(l => `${l.seq}:${l.line}`)).toEqual(appended.flat().sort((x, y) => x.seq - y.seq).map(l => `${l.seq}:${l.line}`));
    expect(await t.db.logChunks.countRunLogLines(session.runs[0].id)).toBe(60);
    await expect(
      t.db.logChunks.appendLogLines('00000000-0000-4000-8000-000000000000', session.runs[0].id, [{ timestamp: ts, line: 'x' }]),
    ).rejects.toThrow(/No session with id/);
  });

  it('pages through thousands of one-line chunks, as a slow agent writes them', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    for (let i = 1; i <= 2500; i++) {
      await t.db.logChunks.appendLogLines(session.id, session.runs[0].id, [{ timestamp: ts, line: `line ${i}` }]);
    }
    const seen: number[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = await t.db.logChunks.readLogLines(session.id, after, 1000);
      seen.push(...page.lines.map(l => l.seq));
      pages++;
      if (!page.hasMore) break;
      after = page.lines[page.lines.length - 1].seq;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('pages through large chunks, starting inside one', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    for (let c = 0; c < 3; c++) {
      await t.db.logChunks.appendLogLines(
        session.id,
        session.runs[0].id,
        Array.from({ length: 1500 }, (_, i) => ({ timestamp: ts, line: `chunk ${c} line ${i}` })),
      );
    }
    const first = await t.db.logChunks.readLogLines(session.id, 700, 1000);
    expect(first.lines.map(l => l.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => 701 + i));
    expect(first.lines[800].line).toBe('chunk 1 line 0');
    expect(first.hasMore).toBe(true);
    const last = await t.db.logChunks.readLogLines(session.id, 4000, 1000);
    expect(last.lines.map(l => l.seq)).toEqual(Array.from({ length: 500 }, (_, i) => 4001 + i));
    expect(last.hasMore).toBe(false);
  });

  it('keeps seqs unique when lines are appended concurrently', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const ts = '2026-11-21T10:00:00.000Z';
    await Promise.all(
      [0, 1, 2, 3, 4].map(i =>
        t.db.logChunks.appendLogLines(session.id, session.runs[0].id, [
          { timestamp: ts, line: `${i}a` },
          { timestamp: ts, line: `${i}b` },
        ]),
      ),
    );
    const { lines } = await t.db.logChunks.readLogLines(session.id, 0);
    expect(lines.map(l => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(lines.map(l => l.line)).size).toBe(10);
  });

  it('counts the lines a chunk accounts for, dropped ones included, where a follower resumes', async () => {
    const { session } = await t.db.sessions.createSession(newSession());
    const runId = session.runs[0].id;
    const ts = '2026-11-21T10:00:00.000Z';
    await t.db.logChunks.appendLogLines(session.id, runId, [{ timestamp: ts, line: 'one' }, { timestamp: ts, line: 'two' }]);
    // Two lines kept and a notice, for 50 lines of the pod's log.
    const noted = await t.db.logChunks.appendLogLines(
      session.id,
      runId,
      [{ timestamp: ts, line: 'three' }, { timestamp: ts, line: 'four' }, { timestamp: ts, line: 'notice' }],
      { sourceLines: 50 },
    );
    expect(noted.map(l => l.seq)).toEqual([3, 4, 5]);
    expect(await t.db.logChunks.countRunLogLines(runId)).toBe(52);
    expect((await t.db.logChunks.readLogLines(session.id, 0)).lines).toHaveLength(5);
  });
});
