import type { Principal } from './auth';
import type { GitHubStore } from './store';

export const RATE_LIMIT_DOC =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const ANONYMOUS_LIMIT = 60;

/** One caller's hourly window. */
export interface Bucket {
  used: number;
  reset: number;
}

/** The `core` rate limit, counted as GitHub does: per installation, user, App or (anonymous) client IP. */
export class RateLimits {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly store: GitHubStore,
    /** Requests per hour for authenticated callers. */
    private readonly limit: number,
  ) {}

  /** Which bucket a caller draws on, its limit, and GitHub's message once it is spent. */
  bucketOf(principal: Principal | undefined, ip: string) {
    switch (principal?.kind) {
      case 'installation':
        return {
          key: `installation:${principal.token.installationId}`,
          limit: this.limit,
          exceeded: `API rate limit exceeded for installation ID ${principal.token.installationId}.`,
        };
      case 'pat':
        return {
          key: `user:${principal.pat.login.toLowerCase()}`,
          limit: this.limit,
          exceeded: `API rate limit exceeded for user ID ${this.store.userId(
            principal.pat.login,
          )}.`,
        };
      case 'app':
        return {
          key: `app:${principal.app.appId}`,
          limit: this.limit,
          exceeded: `API rate limit exceeded for app ID ${principal.app.appId}.`,
        };
      default:
        return {
          key: `ip:${ip}`,
          limit: ANONYMOUS_LIMIT,
          exceeded: `API rate limit exceeded for ${ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`,
        };
    }
  }

  /** The bucket's current window; a new one once the old has reset. */
  bucket(key: string, nowSec: number): Bucket {
    let b = this.buckets.get(key);
    if (!b || b.reset <= nowSec) {
      b = { used: 0, reset: nowSec + 3600 };
      this.buckets.set(key, b);
    }
    return b;
  }
}

/** The `x-ratelimit-*` headers every REST response carries. */
export const rateHeaders = (limit: number, b: Bucket) => ({
  'x-ratelimit-limit': String(limit),
  'x-ratelimit-remaining': String(Math.max(limit - b.used, 0)),
  'x-ratelimit-reset': String(b.reset),
  'x-ratelimit-used': String(b.used),
  'x-ratelimit-resource': 'core',
});
