import type { HarnessResult } from '@backstage-agents/plugin-agents-common';
import type { Knex } from 'knex';
import type { AgentsDatabase } from '../database/AgentsDatabase';
import { newSessionInput } from '../testUtils/newSessionInput';

/**
 * Test helper: a finished session on an entity of `owner` whose one run recorded `tokens` (input and
 * output split in two) and `costUsd`, finished at `finishedAt` (now when absent).
 */
export async function seedUsage(
  db: AgentsDatabase,
  knex: Knex,
  usage: { owner: string; tokens: number; costUsd?: number; finishedAt?: string; entityRef?: string },
): Promise<string> {
  const { session } = await db.sessions.createSession(
    newSessionInput({ entityOwnerRef: usage.owner, entityRef: usage.entityRef ?? 'component:default/payments' }),
  );
  await db.transitions.transition(session.id, 'starting');
  await db.transitions.transition(session.id, 'running');
  const input = Math.floor(usage.tokens / 2);
  const result: HarnessResult = {
    status: 'succeeded',
    usage: { inputTokens: input, outputTokens: usage.tokens - input },
  };
  await db.transitions.recordRunResult(session.runs[0].id, result, { costUsd: usage.costUsd });
  await db.transitions.transition(session.id, 'succeeded');
  if (usage.finishedAt) {
    await knex('agents_runs')
      .where({ id: session.runs[0].id })
      .update({ created_at: usage.finishedAt, started_at: usage.finishedAt, finished_at: usage.finishedAt });
  }
  return session.id;
}
