import type { ServerResponse } from 'node:http';
import { Store } from './store';
import { ApiError } from './statusErrors';

export interface FailureSpec {
  /** How many matching requests fail; default 1. */
  count?: number;
  /** HTTP status of the injected failure; default 500. */
  code?: number;
  reason?: string;
  message?: string;
  /** Only requests whose method matches (e.g. 'GET'); default any. */
  method?: string;
  /** Only requests whose path contains this string (e.g. '/pods'); default any. */
  pathIncludes?: string;
  /** Only watch requests (true), only non-watch requests (false); default any. */
  watch?: boolean;
}

/** Requests to answer late: matched like a failure, then served normally after `delayMs`. */
export interface DelaySpec extends Omit<FailureSpec, 'code' | 'reason' | 'message'> {
  delayMs: number;
}

interface PendingFailure extends Required<Pick<FailureSpec, 'count' | 'code'>> {
  spec: FailureSpec;
}

/** Faults a test can inject into the running API server, in-process or via the admin endpoint. */
export class Faults {
  private failures: PendingFailure[] = [];
  private delays: Array<{ spec: DelaySpec; count: number }> = [];
  private readonly logStreams = new Set<ServerResponse>();
  private injected = 0;

  constructor(private readonly store: Store) {}

  /** Makes the next matching requests answer with an error Status (500 InternalError by default). */
  failNext(spec: FailureSpec = {}): void {
    this.failures.push({
      count: spec.count ?? 1,
      code: spec.code ?? 500,
      spec,
    });
  }

  /** Makes the next matching requests (all of them while `count` is unset: a slow API) answer late. */
  delayNext(spec: DelaySpec): void {
    this.delays.push({ spec, count: spec.count ?? Infinity });
  }

  /** How long to hold this request before serving it; consumes one matching delay. */
  delayFor(method: string, path: string, isWatch: boolean): number {
    const delay = this.delays.find(({ spec }) => matches(spec, method, path, isWatch));
    if (!delay) return 0;
    delay.count -= 1;
    if (delay.count <= 0) this.delays = this.delays.filter(d => d !== delay);
    return delay.spec.delayMs;
  }

  /** Counts a `pods/log` answer as open until it ends, so `dropLogStreams` can cut it. */
  trackLogStream(res: ServerResponse): void {
    this.logStreams.add(res);
    res.on('close', () => this.logStreams.delete(res));
  }

  /**
   * Cuts every open `pods/log` stream mid-way, as a broken connection between the API server and a
   * kubelet would: `abort` resets the connection; otherwise the answer ends cleanly, which a client
   * cannot tell from the end of the log. Returns how many were cut.
   */
  dropLogStreams(mode: 'end' | 'abort' = 'end'): number {
    const streams = [...this.logStreams];
    for (const res of streams) {
      // The kubelet's answer may still be piped in after the end: drop it rather than fail.
      res.on('error', () => {});
      if (mode === 'abort') res.destroy();
      else res.end();
    }
    this.logStreams.clear();
    return streams.length;
  }

  get openLogStreams(): number {
    return this.logStreams.size;
  }

  /** Ends every open watch stream, as an API server restart or a load balancer would. Returns how many. */
  dropWatches(): number {
    return this.store.hub.dropAll();
  }

  /** Forgets the event history, so a watch resuming from any earlier resourceVersion gets 410 Gone. */
  compact(): void {
    this.store.hub.compact(this.store.resourceVersion);
  }

  reset(): void {
    this.failures = [];
    this.delays = [];
  }

  /** How many requests have been failed on purpose so far. */
  get injectedFailures(): number {
    return this.injected;
  }

  get openWatches(): number {
    return this.store.hub.openWatches;
  }

  /** Consumes one pending failure matching this request, if any, returning the error to answer with. */
  take(method: string, path: string, isWatch: boolean): ApiError | undefined {
    const failure = this.failures.find(({ spec }) => matches(spec, method, path, isWatch));
    if (!failure) return undefined;
    failure.count -= 1;
    if (failure.count <= 0)
      this.failures = this.failures.filter(f => f !== failure);
    this.injected += 1;
    const reason =
      failure.spec.reason ??
      (failure.code === 429 ? 'TooManyRequests' : 'InternalError');
    return new ApiError(
      failure.code,
      reason,
      failure.spec.message ?? 'injected fault',
      failure.code === 429 ? { retryAfterSeconds: 1 } : undefined,
    );
  }
}

function matches(
  spec: Pick<FailureSpec, 'method' | 'pathIncludes' | 'watch'>,
  method: string,
  path: string,
  isWatch: boolean,
): boolean {
  return (
    (!spec.method || spec.method.toUpperCase() === method) &&
    (!spec.pathIncludes || path.includes(spec.pathIncludes)) &&
    (spec.watch === undefined || spec.watch === isWatch)
  );
}
