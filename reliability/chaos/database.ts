import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';

export const PG_CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres' };

/** One fresh PostgreSQL database that both replicas share (a schema per plugin), dropped at the end. */
export class ChaosDatabase {
  readonly name = `chaos_${Date.now()}_${randomBytes(3).toString('hex')}`;
  private admin = knexFactory({ client: 'pg', connection: { ...PG_CONNECTION, database: 'postgres' }, pool: { min: 0, max: 1 } });
  private plugin?: Knex;

  async create(): Promise<void> {
    await this.admin.raw(`CREATE DATABASE ??`, [this.name]);
  }

  /** The agents plugin's tables (the backend puts each plugin in its own schema). */
  get agents(): Knex {
    this.plugin ??= knexFactory({
      client: 'pg',
      connection: { ...PG_CONNECTION, database: this.name },
      searchPath: ['agents'],
      pool: { min: 0, max: 4 },
    });
    return this.plugin;
  }

  /** Closes the connections and keeps the database, for a look after a failed run. */
  async close(): Promise<void> {
    await this.plugin?.destroy().catch(() => undefined);
    await this.admin.destroy();
  }

  async drop(): Promise<void> {
    await this.plugin?.destroy().catch(() => undefined);
    this.plugin = undefined;
    await this.admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [this.name]).catch(error => {
      process.stderr.write(`Dropping database ${this.name} failed: ${error}\n`);
    });
    await this.admin.destroy();
  }
}

/** Restarts the machine's PostgreSQL cluster (a few seconds without a database for every client). */
export function restartPostgres(): void {
  const version = fs.readdirSync('/etc/postgresql')[0];
  execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore' });
}
