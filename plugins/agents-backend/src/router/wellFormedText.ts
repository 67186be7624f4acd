import { InputError } from '@backstage/errors';
import type { RequestHandler } from 'express';

/**
 * Refuses NUL characters and lone surrogates anywhere in a request's query string or JSON body.
 * No text column takes them (PostgreSQL refuses U+0000 outright, and a lone surrogate cannot be
 * encoded as UTF-8), so they would otherwise surface as a database failure, a 500, half-way
 * through a write; refused here, nothing is done and the caller learns which field to fix.
 */
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const wellFormedText: RequestHandler = (req, _res, next) => {
  next(malformedTextError(req.query, 'query') ?? malformedTextError(req.body, 'body'));
};

function malformedTextError(value: unknown, where: string): InputError | undefined {
  if (typeof value === 'string') {
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
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    const error =
      malformedTextError(key, `a field name in ${where}`) ??
      malformedTextError(item, Array.isArray(value) ? `${where}[${key}]` : `${where}.${key}`);
    if (error) return error;
  }
  return undefined;
}
