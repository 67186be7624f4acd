import { describeUsage, formatTokens, formatUsage, formatUsd } from './format';

describe('formatTokens', () => {
  it.each([
    [0, '0'],
    [950, '950'],
    [1_000, '1k'],
    [1_050, '1.1k'],
    [12_345, '12.3k'],
    [99_949, '99.9k'],
    [123_456, '123k'],
    [999_999, '1M'],
    [2_500_000, '2.5M'],
    [3_000_000_000, '3B'],
    [-1, ''],
  ])('shows %p as %p', (count, shown) => {
    expect(formatTokens(count)).toBe(shown);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0'],
    [0.004, '<$0.01'],
    [0.05, '$0.05'],
    [0.087, '$0.09'],
    [12.3, '$12.30'],
    [1234.5, '$1,234.50'],
  ])('shows %p as %p', (amount, shown) => {
    expect(formatUsd(amount)).toBe(shown);
  });
});

describe('formatUsage', () => {
  it('shows tokens in and out, and the cost when known', () => {
    expect(
      formatUsage({ inputTokens: 12_300, outputTokens: 4_100, costUsd: 0.05 }),
    ).toBe('12.3k in · 4.1k out · $0.05');
    expect(formatUsage({ inputTokens: 10, outputTokens: 2 })).toBe(
      '10 in · 2 out',
    );
    expect(formatUsage(undefined)).toBe('');
  });

  it('describes usage in full for tooltips', () => {
    expect(
      describeUsage({
        inputTokens: 12_345,
        outputTokens: 4_100,
        costUsd: 0.051234,
      }),
    ).toBe('12,345 input tokens · 4,100 output tokens · $0.051234');
    expect(describeUsage({ inputTokens: 1, outputTokens: 0, costUsd: 3 })).toBe(
      '1 input token · 0 output tokens · $3.00',
    );
  });
});
