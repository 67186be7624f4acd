import { InputError } from '@backstage/errors';
import type { RequestHandler } from 'express';

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deeper JSON than any request of the API needs; refused rather than walked (or overflowing the stack). */
const MAX_DEPTH = 64;

/**
 * Refuses NUL characters and lone surrogates anywhere in a request's query string or JSON body,
 * and JSON nested deeper than any request needs.
 * No text column takes them (PostgreSQL refuses U+0000 outright, and a lone surrogate cannot be
 * encoded as UTF-8), so they would otherwise surface as a database failure, a 500, half-way
 * through a write; refused here, nothing is done and the caller learns which field to fix.
 */
export const wellFormedText: RequestHandler = (req, _res, next) => {
  next(malformedTextError(req.query, 'query') ?? malformedTextError(req.body, 'body'));
};

/** Walks the value without recursion, so that no nesting can exhaust the stack. */
function malformedTextError(root: unknown, rootWhere: string): InputError | undefined {
  const pending: Array<{ value: unknown; where: string; depth: number }> = [
    { value: root, where: rootWhere, depth: 0 },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, where, depth } = next;
    if (typeof value === 'string') {
      const error = textError(value, where);
      if (error) return error;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_DEPTH) {
      return new InputError(`${rootWhere} is nested more than ${MAX_DEPTH} levels deep; send a flatter document`);
    }
    for (const [key, item] of Object.entries(value)) {
      const error = textError(key, `a field name in ${where}`);
      if (error) return error;
      pending.push({ value: item, where: Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`, depth: depth + 1 });
    }
  }
  return undefined;
}

function textError(value: string, where: string): InputError | undefined {
  if (value.includes('\u0000')) {
    return new InputError(`${where} contains a NUL character (U+0000), which text may not hold; remove it`);
  }
  if (LONE_SURROGATE.test(value)) {
    return new InputError(
      `${where} is not well-formed Unicode: it has a lone surrogate (e.g. \\ud800 without its pair); send valid text`,
    );
  }
  return undefined;
}
