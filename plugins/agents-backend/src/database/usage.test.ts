import type { HarnessResult } from '@backstage-agents/plugin-agents-common';
import { describeOnEachDatabase } from '../__testUtils__/describeOnEachDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

jest.setTimeout(60_000);

describeOnEachDatabase('token usage', t => {
  const succeeded = (inputTokens?: number, outputTokens?: number): HarnessResult => ({
    status: 'succeeded',
    summary: 'Done',
    ...(inputTokens === undefined ? {} : { usage: { inputTokens, outputTokens: outputTokens ?? 0 } }),
  });

  /** Runs the session's latest run to `succeeded`, recording `result` as the follower does. */
  async function finishRun(sessionId: string, result: HarnessResult, costUsd?: number) {
    await t.db.transitions.transition(sessionId, 'starting');
    await t.db.transitions.transition(sessionId, 'running');
    const session = (await t.db.sessions.getSession(sessionId))!;
    await t.db.transitions.recordRunResult(session.runs[session.runs.length - 1].id, result, { costUsd });
    return (await t.db.transitions.transition(sessionId, 'succeeded')).session;
  }

  const agent = async (overrides = {}) => (await t.db.sessions.createSession(newSessionInput(overrides))).session;

  it("writes a result's usage and cost to the run's own columns", async () => {
    const session = await agent();
    const done = await finishRun(session.id, succeeded(12_345, 678), 0.047205);
    const row = await t.knex('agents_runs').where({ id: done.runs[0].id }).first();
    expect([Number(row.input_tokens), Number(row.output_tokens), Number(row.cost_usd)]).toEqual([12_345, 678, 0.047205]);
    expect(JSON.parse(row.result).usage).toEqual({ inputTokens: 12_345, outputTokens: 678 });
    expect(done.runs[0].usage).toEqual({ inputTokens: 12_345, outputTokens: 678, costUsd: 0.047205 });
    expect(done.usage).toEqual({ inputTokens: 12_345, outputTokens: 678, costUsd: 0.047205 });
    expect((await t.db.sessions.getRun(done.runs[0].id))!.usage).toEqual(done.runs[0].usage);
  });

  it('keeps usage without a cost when the harness has no price, and nothing without usage', async () => {
    const unpriced = await finishRun((await agent()).id, succeeded(500, 20));
    expect(unpriced.runs[0].usage).toEqual({ inputTokens: 500, outputTokens: 20 });
    expect(unpriced.usage).toEqual({ inputTokens: 500, outputTokens: 20 });

    // A cost without usage means nothing: it is not stored.
    const silent = await finishRun((await agent()).id, succeeded(), 1.5);
    const row = await t.knex('agents_runs').where({ id: silent.runs[0].id }).first();
    expect([row.input_tokens, row.output_tokens, row.cost_usd]).toEqual([null, null, null]);
    expect(silent.runs[0].usage).toBeUndefined();
    expect(silent.usage).toBeUndefined();
  });

  it('writes usage given with a status change too, without a cost', async () => {
    const session = await agent();
    await t.db.transitions.transition(session.id, 'starting');
    await t.db.transitions.transition(session.id, 'running');
    const { session: done } = await t.db.transitions.transition(session.id, 'succeeded', {
      run: { exitCode: 0, result: succeeded(100, 10) },
    });
    expect(done.runs[0].usage).toEqual({ inputTokens: 100, outputTokens: 10 });
  });

  it("sums a session's runs, with a cost only when every run that reported usage had one", async () => {
    const session = await agent();
    await finishRun(session.id, succeeded(1_000, 100), 0.0045);
    await t.db.transitions.resume(session.id, 'Also add tests');
    const twice = await finishRun(session.id, succeeded(2_000, 300), 0.0105);
    expect(twice.runs.map(r => r.usage)).toEqual([
      { inputTokens: 1_000, outputTokens: 100, costUsd: 0.0045 },
      { inputTokens: 2_000, outputTokens: 300, costUsd: 0.0105 },
    ]);
    expect(twice.usage).toEqual({ inputTokens: 3_000, outputTokens: 400, costUsd: 0.015 });

    // A run that reports nothing leaves the totals as they were.
    await t.db.transitions.resume(session.id, 'And the docs');
    expect((await finishRun(session.id, succeeded())).usage).toEqual({
      inputTokens: 3_000,
      outputTokens: 400,
      costUsd: 0.015,
    });

    // A run with usage but no price (the price was removed): the tokens still add up, the cost is
    // no longer a total and is left out.
    await t.db.transitions.resume(session.id, 'And the changelog');
    const partly = await finishRun(session.id, succeeded(10, 1));
    expect(partly.usage).toEqual({ inputTokens: 3_010, outputTokens: 401 });
    expect(partly.runs.map(r => r.usage?.costUsd)).toEqual([0.0045, 0.0105, undefined, undefined]);
  });

  it("gives a fan-out its tasks' totals, and every session its own, in listings", async () => {
    const fanOut = (await t.db.sessions.createSession(newSessionInput({ kind: 'fanout', prompt: 'Implement 001-ledger' })))
      .session;
    const task = (taskId: string) =>
      agent({
        parentSessionId: fanOut.id,
        origin: { kind: 'speckit', taskId },
        workBranch: `specs/001-ledger/${taskId}-async`,
      });
    const [a, b, c] = [await task('T001'), await task('T002'), await task('T003')];
    await finishRun(a.id, succeeded(1_000_000, 10_000), 3.15);
    await finishRun(b.id, succeeded(250_000, 5_000), 0.825);
    const other = await agent();
    await finishRun(other.id, succeeded(7, 7), 0.000126);

    const { items } = await t.db.sessions.listSessions({ filter: {}, limit: 10 });
    const usageOf = (id: string) => items.find(s => s.id === id)!.usage;
    // c has not run yet: the fan-out's total is a's and b's.
    expect(usageOf(fanOut.id)).toEqual({ inputTokens: 1_250_000, outputTokens: 15_000, costUsd: 3.975 });
    expect(usageOf(a.id)).toEqual({ inputTokens: 1_000_000, outputTokens: 10_000, costUsd: 3.15 });
    expect(usageOf(b.id)).toEqual({ inputTokens: 250_000, outputTokens: 5_000, costUsd: 0.825 });
    expect(usageOf(c.id)).toBeUndefined();
    expect(usageOf(other.id)).toEqual({ inputTokens: 7, outputTokens: 7, costUsd: 0.000126 });
    expect((await t.db.sessions.getSession(fanOut.id))!.usage).toEqual(usageOf(fanOut.id));
    // Listings hold no runs; the totals come from the database all the same.
    expect(items.every(s => !('runs' in s))).toBe(true);
  });

  it('reads the totals of a whole list in one query, however long the list', async () => {
    const parent = (await t.db.sessions.createSession(newSessionInput({ kind: 'fanout' }))).session;
    for (let i = 0; i < 6; i++) {
      const s = await agent(i % 2 ? { parentSessionId: parent.id } : {});
      await finishRun(s.id, succeeded(10 * (i + 1), i), 0.01);
    }
    const queriesOf = async (limit: number) => {
      const sql: string[] = [];
      const listen = (query: { sql: string }) => sql.push(query.sql);
      t.knex.on('query', listen);
      try {
        const { items } = await t.db.sessions.listSessions({ filter: {}, limit });
        expect(items).toHaveLength(limit);
      } finally {
        t.knex.removeListener('query', listen);
      }
      return sql.filter(q => /sum\(/i.test(q));
    };
    expect(await queriesOf(2)).toHaveLength(1);
    expect(await queriesOf(7)).toHaveLength(1);
    const { items } = await t.db.sessions.listSessions({ filter: {}, limit: 7 });
    expect(items.find(s => s.id === parent.id)!.usage).toEqual({
      inputTokens: 20 + 40 + 60,
      outputTokens: 1 + 3 + 5,
      costUsd: 0.03,
    });
  });
});
