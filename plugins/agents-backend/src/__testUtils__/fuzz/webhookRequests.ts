import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import { HUGE_STRINGS, hostileString, malformedJson, wrongTypedValue } from './hostileValues';
import { type FuzzRequest, headerSafe } from './FuzzRequest';

/** A field as GitHub sends it most of the time, else something hostile or of another type. */
const sometimes = <T>(usual: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: usual }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: wrongTypedValue });

/**
 * GitHub webhook deliveries to Backstage's events ingress (`POST /api/events/http/github`), which
 * checks the signature on the raw body and hands issue events to the agents' triggers: payloads
 * shaped like `issues` and `issue_comment` events for repositories in and out of the catalog,
 * broken ones, and signatures that are right, wrong or missing.
 */
export function webhookRequests(options: { path: string; secret: string; repositories: string[] }): fc.Arbitrary<FuzzRequest> {
  const payload = fc.record(
    {
      action: sometimes(fc.constantFrom('labeled', 'opened', 'created', 'edited')),
      label: sometimes(fc.record({ name: sometimes(fc.constant('agents')) })),
      issue: sometimes(
        fc.record(
          {
            number: sometimes(fc.nat()),
            title: sometimes(fc.string({ unit: 'grapheme', maxLength: 40 })),
            body: fc.oneof(sometimes(fc.string({ unit: 'grapheme', maxLength: 80 })), fc.constant(null), fc.constant(HUGE_STRINGS['100 KB'])),
            html_url: sometimes(fc.nat().map(n => `https://github.com/example-org/storefront/issues/${n}`)),
            pull_request: fc.constant({}),
          },
          { requiredKeys: ['number', 'title', 'html_url'] },
        ),
      ),
      repository: sometimes(fc.record({ full_name: sometimes(fc.constantFrom(...options.repositories)) })),
      sender: sometimes(fc.record({ login: sometimes(fc.constantFrom('octocat', 'mona')) })),
      comment: sometimes(
        fc.record({
          body: sometimes(fc.constantFrom('/agent', '/agent fix it', 'Any news?')),
          user: sometimes(fc.record({ login: sometimes(fc.constant('octocat')), type: sometimes(fc.constantFrom('User', 'Bot')) })),
        }),
      ),
    },
    { requiredKeys: ['action', 'issue', 'repository'] },
  );
  const body = fc.oneof(
    { weight: 6, arbitrary: payload.map(p => ({ variant: 'valid-shaped payload', body: JSON.stringify(p) })) },
    { weight: 1, arbitrary: malformedJson.map(b => ({ variant: 'malformed JSON', body: b })) },
    { weight: 1, arbitrary: fc.constant({ variant: 'huge body', body: JSON.stringify({ action: 'labeled', issue: { title: HUGE_STRINGS['2 MB'] } }) }) },
  );
  const signature = fc.constantFrom('valid', 'valid', 'valid', 'wrong', 'missing', 'malformed');
  return fc
    .record({
      event: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('issues', 'issue_comment') }, { weight: 1, arbitrary: fc.constantFrom('ping', 'push', '', '../x') }),
      delivery: fc.option(fc.oneof(fc.uuid(), hostileString.map(headerSafe)), { nil: undefined, freq: 6 }),
      signature,
      body,
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded') }),
    })
    .map(r => {
      const signatures: Record<string, string | undefined> = {
        valid: `sha256=${createHmac('sha256', options.secret).update(r.body.body).digest('hex')}`,
        wrong: `sha256=${createHmac('sha256', 'not-the-secret').update(r.body.body).digest('hex')}`,
        missing: undefined,
        malformed: 'sha1=abc',
      };
      const value = signatures[r.signature];
      return {
        operation: 'POST /api/events/http/github',
        variant: `${r.body.variant}, ${r.signature} signature`,
        method: 'POST',
        path: options.path,
        headers: {
          'content-type': r.contentType,
          'x-github-event': r.event,
          ...(r.delivery === undefined ? {} : { 'x-github-delivery': r.delivery }),
          ...(value === undefined ? {} : { 'x-hub-signature-256': value }),
        },
        body: r.body.body,
      };
    });
}
