import fc from 'fast-check';
import { HUGE_STRINGS, PATH_TRICKS } from './hostileValues';
import { type FuzzRequest, rawOrEncoded } from './FuzzRequest';

/**
 * Requests for what the document does not describe: the document itself, methods a path does not
 * have, paths next to real ones, and path tricks in place of whole segments.
 */
export function strayRequests(options: {
  basePath: string;
  sessionIds: string[];
  authorization: fc.Arbitrary<string | undefined>;
}): fc.Arbitrary<FuzzRequest> {
  const id = options.sessionIds.length ? fc.constantFrom(...options.sessionIds) : fc.uuid();
  const path = fc.oneof(
    fc.constantFrom('/openapi.json', '/', '', '/sessions/', '/sessions//cancel', '/runs', '/runs/', '/usage/', '/launch-options/x'),
    id.map(i => `/sessions/${i}/`),
    id.map(i => `/sessions/${i}/logs/extra`),
    id.map(i => `/sessions/${i}/unknown`),
    id.map(i => `/runs/${i}`),
    fc.tuple(fc.constantFrom(...PATH_TRICKS), fc.boolean()).map(([t, raw]) => `/sessions/${rawOrEncoded(t, raw)}/resume`),
    fc.tuple(fc.constantFrom(...PATH_TRICKS), fc.boolean()).map(([t, raw]) => `/${rawOrEncoded(t, raw)}`),
  );
  return fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
      path,
      huge: fc.boolean(),
      authorization: options.authorization,
    })
    .map(r => {
      const withBody = !['GET', 'HEAD', 'OPTIONS'].includes(r.method);
      let variant = 'no body';
      if (withBody) variant = r.huge ? 'huge body' : 'small body';
      return {
        operation: 'undocumented',
        variant,
        method: r.method,
        path: `${options.basePath}${r.path}`,
        headers: {
          ...(r.authorization === undefined ? {} : { authorization: r.authorization }),
          ...(withBody ? { 'content-type': 'application/json' } : {}),
        },
        body: withBody ? JSON.stringify({ prompt: r.huge ? HUGE_STRINGS['2 MB'] : 'x' }) : undefined,
      };
    });
}
