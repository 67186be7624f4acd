import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { HUGE_STRINGS, hostileString, PATH_TRICKS } from './hostileValues';
import { type FuzzRequest, headerSafe, rawOrEncoded } from './FuzzRequest';

const sha256Hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 });

/**
 * Requests to the harness pods' bundle routes (`PUT/GET /runs/{runId}/bundle`), which take a run
 * token instead of a Backstage identity and stream bodies: real and random run ids, tokens and
 * digests, bodies that are gzip or not, empty or large.
 */
export function bundleRequests(options: { basePath: string; runIds: string[] }): fc.Arbitrary<FuzzRequest> {
  const runId = fc.oneof(
    { weight: 3, arbitrary: options.runIds.length ? fc.constantFrom(...options.runIds) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    // Cut as in apiRequests: past Node's header limit it is all one 431.
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom(...PATH_TRICKS), hostileString.map(s => s.slice(0, 20_000))) },
  );
  const token = fc.option(fc.oneof(fc.string({ maxLength: 64 }), hostileString.map(headerSafe)), { nil: undefined, freq: 4 });
  const digest = fc.option(
    fc.oneof(
      { weight: 3, arbitrary: sha256Hex.map(h => `sha256:${h}`) },
      { weight: 1, arbitrary: sha256Hex.map(h => `sha256:${h.toUpperCase()}`) },
      { weight: 2, arbitrary: hostileString.map(headerSafe) },
    ),
    { nil: undefined, freq: 4 },
  );
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 2_000 }).map(bytes => ({ variant: 'random bytes', body: Buffer.from(bytes) })),
    fc.string({ maxLength: 200 }).map(text => ({ variant: 'gzip, not tar', body: gzipSync(text) })),
    fc.constant({ variant: 'empty body', body: Buffer.alloc(0) }),
    fc.constant({ variant: 'huge body', body: Buffer.from(HUGE_STRINGS['2 MB']) }),
  );
  const contentType = fc.option(fc.constantFrom('application/gzip', 'application/octet-stream', 'application/json', 'text/plain'), {
    nil: undefined,
  });
  return fc
    .record({
      method: fc.constantFrom('PUT', 'GET'),
      runId,
      raw: fc.boolean(),
      token,
      digest,
      body,
      contentType,
    })
    .map(r => ({
      operation: `${r.method} /runs/{runId}/bundle`,
      variant: r.method === 'PUT' ? r.body.variant : 'no body',
      method: r.method,
      path: `${options.basePath}/runs/${rawOrEncoded(r.runId, r.raw)}/bundle`,
      headers: {
        ...(r.token === undefined ? {} : { 'x-agents-run-token': r.token }),
        ...(r.digest === undefined ? {} : { 'x-agents-bundle-digest': r.digest }),
        ...(r.method === 'PUT' && r.contentType ? { 'content-type': r.contentType } : {}),
      },
      body: r.method === 'PUT' ? r.body.body : undefined,
    }));
}
