import type { HarnessResult, RunKind } from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { type RunRow, roundUsd } from './sessionRows';

/** A session's next run, waiting to be launched. */
export function newRunRow(
  sessionId: string,
  attempt: number,
  kind: RunKind,
  prompt: string,
  timestamp: string,
): RunRow {
  return {
    id: randomUUID(),
    session_id: sessionId,
    attempt,
    kind,
    prompt,
    pod_name: null,
    namespace: null,
    cluster: null,
    phase: 'pending',
    exit_code: null,
    reason: null,
    result: null,
    created_at: timestamp,
    started_at: null,
    finished_at: null,
  };
}

/**
 * The run columns of a result line: the line, and its usage in columns of their own with the cost
 * the caller worked out from the harness's price (none without a price, or without usage).
 */
export function resultColumns(result: HarnessResult, costUsd?: number): Partial<RunRow> {
  return {
    result: JSON.stringify(result),
    input_tokens: result.usage?.inputTokens ?? null,
    output_tokens: result.usage?.outputTokens ?? null,
    cost_usd: result.usage && costUsd !== undefined ? roundUsd(costUsd) : null,
  };
}

/** The session's newest run; an agent session always has one, a fan-out never. */
export async function latestRun(
  tx: Knex,
  sessionId: string,
  required = true,
): Promise<RunRow | undefined> {
  const run = await tx<RunRow>('agents_runs')
    .where({ session_id: sessionId })
    .orderBy('attempt', 'desc')
    .first();
  if (!run && required) throw new Error(`Session ${sessionId} has no run`);
  return run;
}
