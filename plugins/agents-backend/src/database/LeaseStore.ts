import type { Knex } from 'knex';
import { isPostgres, isSqlite } from './databaseClients';

const TABLE = 'agents_leases';

/**
 * Named leases, each held by one holder at a time until it lapses. Times come from the database's
 * clock: every replica compares against the same one, whatever their own clocks say.
 */
export class LeaseStore {
  constructor(private readonly db: Knex) {}

  /**
   * Takes the lease for `ttlMs` from now when it is free, lapsed, or already `holder`'s (a renewal).
   * True when `holder` holds it afterwards.
   */
  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.nowMs();
    const rows: unknown[] = await this.db(TABLE)
      .insert({ name, holder, expires_at: this.db.raw(`${now} + ?`, [Math.round(ttlMs)]) })
      .onConflict('name')
      .merge(['holder', 'expires_at'])
      .where(`${TABLE}.holder`, holder)
      .orWhere(`${TABLE}.expires_at`, '<', this.db.raw(now))
      .returning('name');
    return rows.length === 1;
  }

  /** Gives the lease up at once, when `holder` holds it, so that another holder need not wait for it to lapse. */
  async release(name: string, holder: string): Promise<void> {
    await this.db(TABLE).where({ name, holder }).update({ expires_at: 0 });
  }

  /** Who holds the lease now, if anyone. */
  async holderOf(name: string): Promise<string | undefined> {
    const row = await this.db(TABLE)
      .where({ name })
      .andWhere('expires_at', '>=', this.db.raw(this.nowMs()))
      .first('holder');
    return row?.holder;
  }

  /** The database's clock in milliseconds since the epoch, as an SQL expression. */
  private nowMs(): string {
    if (isPostgres(this.db)) return '(extract(epoch from clock_timestamp()) * 1000)::bigint';
    if (isSqlite(this.db)) return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    throw new Error(`Leases need PostgreSQL or SQLite, not ${this.db.client.config?.client}`);
  }
}
