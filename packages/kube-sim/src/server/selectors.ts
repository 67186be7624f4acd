import { badRequest } from './statusErrors';

/** A parsed selector: an object matches when every requirement holds. */
export type Selector = (obj: any) => boolean;

type Requirement = (labels: Record<string, string>) => boolean;

/**
 * Splits on commas that are not inside a parenthesised value set, so
 * `a in (x,y),b` yields `a in (x,y)` and `b`.
 */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms.map(t => t.trim()).filter(t => t.length > 0);
}

const SET_TERM = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/;
const EQUALITY_TERM = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/;
const EXISTS_TERM = /^(!?)([^=!\s()]+)$/;

function parseLabelTerm(term: string): Requirement {
  const set = SET_TERM.exec(term);
  if (set) {
    const [, key, op, values] = set;
    const allowed = new Set(
      values
        .split(',')
        .map(v => v.trim())
        .filter(v => v),
    );
    return op === 'in'
      ? labels => key in labels && allowed.has(labels[key])
      : labels => !(key in labels) || !allowed.has(labels[key]);
  }
  const eq = EQUALITY_TERM.exec(term);
  if (eq) {
    const [, key, op, value] = eq;
    return op === '!='
      ? labels => labels[key] !== value
      : labels => key in labels && labels[key] === value;
  }
  const exists = EXISTS_TERM.exec(term);
  if (exists) {
    const [, negate, key] = exists;
    return negate ? labels => !(key in labels) : labels => key in labels;
  }
  throw badRequest(
    `unable to parse requirement: invalid label selector "${term}"`,
  );
}

export function parseLabelSelector(selector: string | undefined): Selector {
  if (!selector) return () => true;
  const requirements = splitTerms(selector).map(parseLabelTerm);
  return obj => {
    const labels = obj?.metadata?.labels ?? {};
    return requirements.every(r => r(labels));
  };
}

function fieldValue(obj: any, path: string): string {
  const value = path
    .split('.')
    .reduce(
      (v: any, key) => (v === undefined || v === null ? undefined : v[key]),
      obj,
    );
  if (value === undefined || value === null) return '';
  return String(value);
}

/**
 * Field selectors only support `=`, `==` and `!=` on the fields the real
 * server indexes for the type; anything else is a 400 like the real server.
 */
export function parseFieldSelector(
  selector: string | undefined,
  supportedFields: string[],
): Selector {
  if (!selector) return () => true;
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    ...supportedFields,
  ]);
  const checks = splitTerms(selector).map(term => {
    const match = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match)
      throw badRequest(
        `invalid selector: '${term}'; can't understand '${term}'`,
      );
    const [, field, op, value] = match;
    if (!allowed.has(field)) {
      throw badRequest(`field label not supported: ${field}`);
    }
    return op === '!='
      ? (obj: any) => fieldValue(obj, field) !== value
      : (obj: any) => fieldValue(obj, field) === value;
  });
  return obj => checks.every(c => c(obj));
}
