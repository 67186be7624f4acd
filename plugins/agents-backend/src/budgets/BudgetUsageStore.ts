import type { Knex } from 'knex';

/** What an owner's runs used in a period. */
export interface OwnerUsage {
  /** Input plus output tokens. */
  tokens: number;
  /** US dollars, of the runs whose harness had a price. */
  costUsd: number;
}

/** The usage that owner budgets are checked against, and the reason shown on a held run. */
export class BudgetUsageStore {
  constructor(private readonly db: Knex) {}

  /**
   * What the runs of sessions on entities of `ownerRef` recorded since `sinceIso`: a run counts in
   * the month it finished (or, still unfinished with usage, started). Timestamps are ISO strings in
   * UTC, so they compare as text on every database.
   */
  async usageSince(ownerRef: string, sinceIso: string): Promise<OwnerUsage> {
    const row = await this.db('agents_runs as r')
      .join('agents_sessions as s', 's.id', 'r.session_id')
      .where('s.entity_owner_ref', ownerRef)
      .whereNotNull('r.input_tokens')
      .whereRaw('coalesce(r.finished_at, r.started_at, r.created_at) >= ?', [sinceIso])
      .first(
        this.db.raw(
          'coalesce(sum(r.input_tokens), 0) + coalesce(sum(r.output_tokens), 0) as tokens, coalesce(sum(r.cost_usd), 0) as cost',
        ),
      );
    return { tokens: Number(row?.tokens ?? 0), costUsd: Number(row?.cost ?? 0) };
  }

  /** Sets (or with null clears) the reason a pending run shows; false when the run moved on. */
  async setPendingRunReason(runId: string, reason: string | null): Promise<boolean> {
    const updated = await this.db('agents_runs').where({ id: runId, phase: 'pending' }).update({ reason });
    return updated > 0;
  }
}
