import type { Config } from '@backstage/config';
import type { TokenUsage } from '@backstage-agents/plugin-agents-common';

/** What a harness's model costs, in US dollars per million tokens: `agents.harnesses.<name>.price`. */
export interface HarnessPrice {
  inputPerMillionTokens: number;
  outputPerMillionTokens: number;
}

/** The configured prices, by harness name. */
export type HarnessPrices = ReadonlyMap<string, HarnessPrice>;

function readRate(price: Config, key: string, field: keyof HarnessPrice): number {
  const value = price.getNumber(field);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`${key}.${field} must be a number of US dollars, zero or more; got ${value}`);
  }
  return value;
}

/**
 * Reads `agents.harnesses.<name>.price` of every harness that has one; both rates are required, so a
 * price is never half known. Throws a message naming the key that is wrong.
 */
export function readHarnessPrices(config: Config): Map<string, HarnessPrice> {
  const prices = new Map<string, HarnessPrice>();
  const harnesses = config.getOptionalConfig('agents.harnesses');
  for (const name of harnesses?.keys() ?? []) {
    const price = harnesses!.getOptionalConfig(`${name}.price`);
    if (!price) continue;
    const key = `agents.harnesses.${name}.price`;
    prices.set(name, {
      inputPerMillionTokens: readRate(price, key, 'inputPerMillionTokens'),
      outputPerMillionTokens: readRate(price, key, 'outputPerMillionTokens'),
    });
  }
  return prices;
}

/** What `usage` costs at `price`, in US dollars, to the micro-dollar. */
export function usageCost(usage: TokenUsage, price: HarnessPrice): number {
  const cost =
    (usage.inputTokens * price.inputPerMillionTokens +
      usage.outputTokens * price.outputPerMillionTokens) /
    1_000_000;
  return Math.round(cost * 1e6) / 1e6;
}
