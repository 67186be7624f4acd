import { ConfigReader } from '@backstage/config';
import { readHarnessPrices, usageCost } from './harnessPrices';

const config = (harnesses: object) => new ConfigReader({ agents: { harnesses } });

describe('readHarnessPrices', () => {
  it('reads the price of every harness that has one', () => {
    const prices = readHarnessPrices(
      config({
        opencode: { model: 'anthropic/claude-sonnet-4', price: { inputPerMillionTokens: 3, outputPerMillionTokens: 15 } },
        'claude-code': { price: { inputPerMillionTokens: 0.8, outputPerMillionTokens: 0 } },
        codex: { model: 'gpt-5' },
        demo: { enabled: true },
      }),
    );
    expect([...prices]).toEqual([
      ['opencode', { inputPerMillionTokens: 3, outputPerMillionTokens: 15 }],
      ['claude-code', { inputPerMillionTokens: 0.8, outputPerMillionTokens: 0 }],
    ]);
  });

  it('has no prices without harness options', () => {
    expect(readHarnessPrices(new ConfigReader({})).size).toBe(0);
    expect(readHarnessPrices(new ConfigReader({ agents: {} })).size).toBe(0);
  });

  it('refuses a price that is half known or not an amount, naming the key', () => {
    expect(() => readHarnessPrices(config({ codex: { price: { inputPerMillionTokens: 1 } } }))).toThrow(
      /outputPerMillionTokens/,
    );
    expect(() =>
      readHarnessPrices(config({ codex: { price: { inputPerMillionTokens: -1, outputPerMillionTokens: 1 } } })),
    ).toThrow('agents.harnesses.codex.price.inputPerMillionTokens must be a number of US dollars, zero or more');
    expect(() =>
      readHarnessPrices(config({ codex: { price: { inputPerMillionTokens: 'cheap', outputPerMillionTokens: 1 } } })),
    ).toThrow(/inputPerMillionTokens/);
  });
});

describe('usageCost', () => {
  const price = { inputPerMillionTokens: 3, outputPerMillionTokens: 15 };

  it('prices input and output tokens at their own rates', () => {
    expect(usageCost({ inputTokens: 1_000_000, outputTokens: 0 }, price)).toBe(3);
    expect(usageCost({ inputTokens: 0, outputTokens: 1_000_000 }, price)).toBe(15);
    expect(usageCost({ inputTokens: 12_000, outputTokens: 3_400 }, price)).toBe(0.087);
    expect(usageCost({ inputTokens: 0, outputTokens: 0 }, price)).toBe(0);
  });

  it('rounds to the micro-dollar', () => {
    // 1 token at $0.15 per million is $0.00000015: below a micro-dollar.
    expect(usageCost({ inputTokens: 1, outputTokens: 0 }, { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0 })).toBe(0);
    expect(usageCost({ inputTokens: 7, outputTokens: 0 }, { inputPerMillionTokens: 0.15, outputPerMillionTokens: 0 })).toBe(
      0.000001,
    );
  });
});
