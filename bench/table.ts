/** One row of the printed results: a case, what it measured, and its figures. */
export type Row = Record<string, string | number>;

export function printTable(title: string, rows: Row[]) {
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap(r => Object.keys(r)))];
  const widths = columns.map(c =>
    Math.max(c.length, ...rows.map(r => String(r[c] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(columns));
  console.log(line(widths.map(w => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map(c => String(row[c] ?? ''))));
}
