import knexFactory, { type Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface BenchDatabase {
  name: string;
  knex: Knex;
  dispose(): Promise<void>;
}

/** A fresh SQLite file in a temp directory: the development default. */
export async function sqlite(): Promise<BenchDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-'));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, 'agents.sqlite') },
    useNullAsDefault: true,
  });
  return {
    name: 'SQLite',
    knex,
    dispose: async () => {
      await knex.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh database on the PostgreSQL server of BENCH_POSTGRES_URL, or undefined when unreachable. */
export async function postgres(): Promise<BenchDatabase | undefined> {
  const url =
    process.env.BENCH_POSTGRES_URL ??
    process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING ??
    'postgresql://postgres@127.0.0.1:5432';
  const admin = knexFactory({ client: 'pg', connection: url });
  const database = `agents_bench_${process.pid}_${Date.now()}`;
  try {
    await admin.raw(`CREATE DATABASE ${database}`);
  } catch (error) {
    await admin.destroy();
    console.warn(`PostgreSQL is not reachable at ${url}: ${error}`);
    return undefined;
  }
  // What earlier cases wrote (a million seeded sessions, gigabytes of bundles) is flushed now, so
  // that this case's commits do not wait behind their checkpoint. Needs a superuser; skipped otherwise.
  await admin.raw('CHECKPOINT').catch(error => console.warn(`CHECKPOINT before the case was skipped: ${error}`));
  // The database goes into the URL: pg lets a connection string's fields override separate options.
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${database}`;
  const knex = knexFactory({
    client: 'pg',
    connection: databaseUrl.toString(),
    pool: { min: 0, max: 10 },
  });
  return {
    name: 'PostgreSQL',
    knex,
    dispose: async () => {
      await knex.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${database}`);
      await admin.destroy();
    },
  };
}
