/** Summary figures of a list of durations in milliseconds. */
export function summarize(durationsMs: number[]) {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const total = sorted.reduce((sum, d) => sum + d, 0);
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1], total };
}

/** Milliseconds taken by one call. */
export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, result];
}

export const fmt = (ms: number) => ms.toFixed(2);
