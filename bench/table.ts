/** One row of the printed results: a case, what it measured, and its figures. */
export type Row = Record<string, string | number>;

/** A case's rows as a Markdown table under its title (printed, and written into docs/performance.md). */
export function formatTable(title: string, rows: Row[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap(r => Object.keys(r)))];
  const widths = columns.map(c =>
    Math.max(c.length, ...rows.map(r => String(r[c] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    `### ${title}`,
    '',
    line(columns),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(row => line(columns.map(c => String(row[c] ?? '')))),
  ].join('\n');
}

export function printTable(title: string, rows: Row[]) {
  const table = formatTable(title, rows);
  if (table) console.log(`\n${table}`);
}
