import type { Knex } from 'knex';

/** The plugin's tables (those its migrations create), without the migrations' own bookkeeping. */
export async function pluginTables(knex: Knex): Promise<string[]> {
  const names =
    knex.client.config.client === 'pg'
      ? (
          await knex('information_schema.tables')
            .where('table_schema', knex.raw('current_schema()'))
            .andWhere('table_name', 'like', 'agents\\_%')
            .select({ name: 'table_name' })
        ).map(r => r.name as string)
      : (await knex('sqlite_master').where('type', 'table').andWhere('name', 'like', 'agents%').select('name')).map(
          r => r.name as string,
        );
  return names.filter(name => name.startsWith('agents_') && !name.includes('knex_migrations')).sort();
}

/** The number of rows of each table, in one round trip. */
export async function countRows(knex: Knex, tables: string[]): Promise<Record<string, number>> {
  const columns = tables.map(table => knex.raw('(select count(*) from ??) as ??', [table, table]));
  const [row] = await knex.select(columns);
  return Object.fromEntries(tables.map(table => [table, Number(row[table])]));
}

/** The tables whose row count differs, with the difference. */
export function changedTables(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after)
      .map(table => [table, after[table] - (before[table] ?? 0)] as const)
      .filter(([, delta]) => delta !== 0),
  );
}
