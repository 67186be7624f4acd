import knexFactory from 'knex';
import os from 'node:os';

/** The machine a run measured: CPU, memory, Node and PostgreSQL versions. */
export async function describeMachine(): Promise<string> {
  const cpus = os.cpus();
  const parts = [
    `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${os.type()} ${os.release()}`,
    `Node ${process.versions.node}`,
  ];
  const url = process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
  const knex = knexFactory({ client: 'pg', connection: url });
  try {
    const { rows } = await knex.raw('show server_version');
    parts.push(`PostgreSQL ${rows[0].server_version}`);
  } catch {
    parts.push('no PostgreSQL');
  } finally {
    await knex.destroy();
  }
  return parts.join(', ');
}
