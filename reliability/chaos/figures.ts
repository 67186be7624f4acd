/** One printed figure: what it counts, its value, and whether anything but zero is a failure. */
export interface Figure {
  name: string;
  value: number | string;
  mustBeZero: boolean;
  /** A few examples (session ids, keys) for a figure that is not zero. */
  examples?: string[];
}

export const failing = (figures: Figure[]) => figures.filter(f => f.mustBeZero && f.value !== 0);

/** The figures as a Markdown table: must-be-zero figures marked, and ✗ where one is not zero. */
export function formatFigures(figures: Figure[]): string {
  const rows = figures.map(f => [
    f.name,
    String(f.value),
    f.mustBeZero ? (f.value === 0 ? 'must be 0: ✓' : 'must be 0: ✗') : '',
  ]);
  const header = ['Figure', 'Value', 'Check'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  const out = [line(header), line(widths.map(w => '-'.repeat(w))), ...rows.map(line)];
  for (const f of figures) {
    if (f.examples?.length && f.value !== 0) out.push(`  ${f.name}: e.g. ${f.examples.slice(0, 5).join(', ')}`);
  }
  return out.join('\n');
}
