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

interface PendingFailure extends Required<Pick<FailureSpec, 'count' | 'code'>> {
  spec: FailureSpec;
}

/** Faults a test can inject into the running API server, in-process or via the admin endpoint. */
export class Faults {
  private failures: PendingFailure[] = [];
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
    const failure = this.failures.find(
      ({ spec }) =>
        (!spec.method || spec.method.toUpperCase() === method) &&
        (!spec.pathIncludes || path.includes(spec.pathIncludes)) &&
        (spec.watch === undefined || spec.watch === isWatch),
    );
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
