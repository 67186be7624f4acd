import type { Row } from './table';

/** A figure's target: at most (`max`) or at least (`min`) a value, in the figure's unit. */
export type Target = { max: number } | { min: number };

/**
 * One measured figure as a table row: the figure, its target and the ratio of figure to target
 * ("met" when the target holds), with the backend's CPU time per operation where it was measured.
 * The ratio reads the same way for both kinds of target: below 1 is better for a maximum, above 1
 * for a minimum.
 */
export function figure(
  measure: string,
  value: number,
  unit: string,
  target?: Target,
  cpuMsPerOp?: number,
): Row {
  const row: Row = { measure, figure: `${round(value)} ${unit}` };
  if (target) {
    const limit = 'max' in target ? target.max : target.min;
    const met = 'max' in target ? value <= target.max : value >= target.min;
    row.target = `${'max' in target ? '≤' : '≥'} ${round(limit)} ${unit}`;
    row.ratio = `${(value / limit).toFixed(2)} ${met ? 'met' : 'MISSED'}`;
  } else {
    row.target = '';
    row.ratio = '';
  }
  row['backend CPU ms/op'] = cpuMsPerOp === undefined ? '' : cpuMsPerOp.toFixed(2);
  return row;
}

/** A row that reports a count or fact without a target (e.g. "pods started: 50 of 200"). */
export function fact(measure: string, value: string): Row {
  return { measure, figure: value, target: '', ratio: '', 'backend CPU ms/op': '' };
}

function round(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(2);
}
