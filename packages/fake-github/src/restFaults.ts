import { GitHubError } from './errors';
import type { ResolvedFault } from './faults';
import { RATE_LIMIT_DOC } from './rateLimits';

const SECONDARY_DOC =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

/**
 * An injected fault as the REST error GitHub would send, with GitHub's default messages; `rate` says
 * how a rate-limit fault overrides the caller's `x-ratelimit-*` headers.
 */
export function faultError(
  fault: ResolvedFault,
  exceededMessage: string,
  reqId: string,
): { error: GitHubError; rate?: { remaining0: boolean; reset?: number } } {
  const nowSec = Math.floor(Date.now() / 1000);
  switch (fault.kind) {
    case 'rate-limit':
      return {
        error: new GitHubError(
          fault.status,
          fault.message ?? exceededMessage,
          RATE_LIMIT_DOC,
        ),
        rate: {
          remaining0: true,
          reset: nowSec + (fault.resetInSeconds ?? 3),
        },
      };
    case 'secondary-rate-limit':
      return {
        error: new GitHubError(
          fault.status,
          fault.message ??
            `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${reqId}.`,
          SECONDARY_DOC,
          undefined,
          { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
        ),
      };
    case 'unauthorized':
      return {
        error: new GitHubError(
          fault.status,
          fault.message ?? 'Bad credentials',
        ),
      };
    case 'not-found':
      return {
        error: new GitHubError(fault.status, fault.message ?? 'Not Found'),
      };
    default:
      return {
        error: new GitHubError(
          fault.status,
          fault.message ??
            (fault.status === 502 ? 'Server Error' : 'Internal Server Error'),
        ),
      };
  }
}
