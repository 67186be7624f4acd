import { InputError } from '@backstage/errors';

/** One catalog filter: every key must match; a key with several values matches any of them. */
export type CampaignFilter = Record<string, string | string[]>;

const KEY = /^[A-Za-z0-9_.\-/]+$/;

/**
 * The catalog filters a campaign selects entities with, from the template's input: a string of
 * `key=value` pairs separated by commas (`kind=component,spec.lifecycle=production,metadata.tags=java`;
 * a key given twice matches either value), an object of the same keys, or a list of either, which
 * selects entities matching any of them. Refuses what would select the whole catalog.
 */
export function parseCampaignFilter(input: unknown): CampaignFilter[] {
  const filters = (Array.isArray(input) ? input : [input]).map(parseOne);
  if (filters.length === 0) throw new InputError('filter is empty: name the entities to run the campaign on, e.g. kind=component,spec.lifecycle=production');
  return filters;
}

function parseOne(input: unknown): CampaignFilter {
  if (typeof input === 'string') return parseString(input);
  if (input && typeof input === 'object' && !Array.isArray(input)) return parseObject(input as Record<string, unknown>);
  throw new InputError(`filter must be a string like kind=component,metadata.tags=java or an object of the same keys, not ${JSON.stringify(input)}`);
}

function parseString(text: string): CampaignFilter {
  const filter: CampaignFilter = {};
  for (const part of text.split(',').map(p => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) {
      throw new InputError(`filter part '${part}' is not key=value, e.g. spec.lifecycle=production`);
    }
    add(filter, part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return nonEmpty(filter, text);
}

function parseObject(object: Record<string, unknown>): CampaignFilter {
  const filter: CampaignFilter = {};
  for (const [key, value] of Object.entries(object)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some(v => typeof v !== 'string' || v.trim() === '')) {
      throw new InputError(`filter key '${key}' must have a non-empty string value or list of them, not ${JSON.stringify(value)}`);
    }
    for (const v of values as string[]) add(filter, key.trim(), v.trim());
  }
  return nonEmpty(filter, JSON.stringify(object));
}

function add(filter: CampaignFilter, key: string, value: string) {
  if (!KEY.test(key)) throw new InputError(`filter key '${key}' is not an entity field such as kind or spec.lifecycle`);
  const existing = filter[key];
  if (existing === undefined) filter[key] = value;
  else filter[key] = [...(Array.isArray(existing) ? existing : [existing]), value];
}

function nonEmpty(filter: CampaignFilter, text: string): CampaignFilter {
  if (Object.keys(filter).length === 0) {
    throw new InputError(`filter '${text}' names no field: it would select the whole catalog; give at least one, e.g. kind=component`);
  }
  return filter;
}

/** How a filter reads in logs and prompts: `kind=component,spec.lifecycle=production`. */
export function describeCampaignFilter(filters: CampaignFilter[]): string {
  return filters
    .map(f =>
      Object.entries(f)
        .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map(value => `${k}=${value}`))
        .join(','),
    )
    .join(' or ');
}
