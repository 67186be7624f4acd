import { setTimeout as delay } from 'node:timers/promises';

/** Network errors after which the same request can simply be sent again. */
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET']);

/**
 * Whether a Kubernetes API call failed in a way a retry can fix: the API server was briefly unable
 * to answer (429, 5xx: overloaded, restarting, behind a load balancer that dropped it) or the
 * connection broke. Not a call that our own timeout gave up on: that one may still be served.
 */
export function isTransientApiError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'number') return code === 429 || code >= 500;
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return TRANSIENT_NETWORK_CODES.has(String(code)) || TRANSIENT_NETWORK_CODES.has(String(cause));
}

/** The delays before each retry: a brief blip is over in a few seconds, well within a launch's grace. */
export const TRANSIENT_RETRY_DELAYS_MS = [250, 1_000, 3_000];

/**
 * Calls `call`, again after each transient API error (see `isTransientApiError`), up to
 * `delaysMs.length` more times. `resolveConflict` handles a 409 answered to a create: by default only
 * on a retry (`onConflict: 'afterRetry'`: the failed attempt did create the object, only its answer
 * was lost, so it is read instead); with `'always'` on the first attempt too.
 */
export async function withTransientRetries<T>(
  call: () => Promise<T>,
  options: {
    resolveConflict?: () => Promise<T>;
    onConflict?: 'afterRetry' | 'always';
    delaysMs?: number[];
  } = {},
): Promise<T> {
  const delays = options.delaysMs ?? TRANSIENT_RETRY_DELAYS_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      const resolvable = attempt > 0 || options.onConflict === 'always';
      if (code === 409 && resolvable && options.resolveConflict) return options.resolveConflict();
      if (attempt >= delays.length || !isTransientApiError(error)) throw error;
      await delay(delays[attempt]);
    }
  }
}
