import { LogFloodCap, readLogLinesPerSecond } from './LogFloodCap';

/** A line's timestamp `second` seconds into a minute. */
const at = (second: number) => `2026-12-05T09:00:${String(second).padStart(2, '0')}.123456789Z`;

describe('LogFloodCap', () => {
  it('keeps up to the rate times the window in each 10-second window, then tells once what it dropped', () => {
    const cap = new LogFloodCap('default', 2);
    const first = Array.from({ length: 50 }, (_, i) => cap.admit(at(i % 10)));
    expect(first.filter(d => d.keep)).toHaveLength(20);
    expect(first.some(d => d.notice)).toBe(false);
    const next = cap.admit(at(10));
    expect(next).toEqual({
      keep: true,
      notice: '[agents] log capped by policy "default": 30 lines dropped (limit 2 lines/s)',
    });
    expect(cap.takeNotice()).toBeUndefined();
  });

  it('always keeps the lines it must, and tells at the end of the log what the last window dropped', () => {
    const cap = new LogFloodCap('tight', 1000);
    for (let i = 0; i < 11_234 + 10_000; i++) cap.admit(at(0));
    expect(cap.admit(at(1), true).keep).toBe(true);
    expect(cap.takeNotice()).toBe(
      '[agents] log capped by policy "tight": 11,234 lines dropped (limit 1,000 lines/s)',
    );
    expect(cap.takeNotice()).toBeUndefined();
  });

  it('passes a log within the limit untouched', () => {
    const cap = new LogFloodCap('default', 1000);
    const decisions = Array.from({ length: 5000 }, (_, i) => cap.admit(at(i % 60)));
    expect(decisions.every(d => d.keep && !d.notice)).toBe(true);
    expect(cap.takeNotice()).toBeUndefined();
  });

  it('reads the limit of a stored policy snapshot, ignoring older or malformed ones', () => {
    expect(readLogLinesPerSecond({ logLinesPerSecond: 500 })).toBe(500);
    expect(readLogLinesPerSecond({})).toBeUndefined();
    expect(readLogLinesPerSecond({ logLinesPerSecond: '500' })).toBeUndefined();
    expect(readLogLinesPerSecond({ logLinesPerSecond: 0 })).toBeUndefined();
  });
});
