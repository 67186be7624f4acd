export type FaultKind =
  | 'rate-limit'
  | 'secondary-rate-limit'
  | 'unauthorized'
  | 'server-error'
  | 'not-found';

export interface FaultSpec {
  /** How many matching requests fail; default 1. */
  count?: number;
  /** Default `server-error`. */
  kind?: FaultKind;
  /**
   * HTTP status; defaults by kind: rate-limit 403, secondary-rate-limit 403 (429 also allowed),
   * unauthorized 401, server-error 500 (502, 503 … allowed), not-found 404.
   */
  status?: number;
  /** Only requests with this method (e.g. `POST`); default any. */
  method?: string;
  /** Only requests whose path (without the query) contains this string; default any. */
  pathIncludes?: string;
  /** Overrides the error message. */
  message?: string;
  /** rate-limit: seconds until `x-ratelimit-reset`; default 3. */
  resetInSeconds?: number;
  /** secondary-rate-limit: the `retry-after` value; default 1. */
  retryAfterSeconds?: number;
}

const DEFAULT_STATUS: Record<FaultKind, number> = {
  'rate-limit': 403,
  'secondary-rate-limit': 403,
  unauthorized: 401,
  'server-error': 500,
  'not-found': 404,
};

export interface ResolvedFault extends FaultSpec {
  kind: FaultKind;
  status: number;
}

/** Failures a test injects into the fake, in process (`server.faults`) or via `POST /__fake-github/faults`. */
export class Faults {
  private pendingFaults: Array<{ remaining: number; fault: ResolvedFault }> =
    [];
  private injected = 0;

  /** Makes the next `count` matching GitHub requests (REST or git) fail as `kind` describes. */
  failNext(spec: FaultSpec = {}): void {
    const kind = spec.kind ?? 'server-error';
    if (!(kind in DEFAULT_STATUS))
      throw new Error(`Unknown fault kind ${kind}`);
    this.pendingFaults.push({
      remaining: spec.count ?? 1,
      fault: { ...spec, kind, status: spec.status ?? DEFAULT_STATUS[kind] },
    });
  }

  /** Drops every pending fault. */
  reset(): void {
    this.pendingFaults = [];
  }

  /** Faults still waiting for a matching request. */
  get pending(): ResolvedFault[] {
    return this.pendingFaults.map(p => p.fault);
  }

  /** How many requests have been failed on purpose so far. */
  get injectedFailures(): number {
    return this.injected;
  }

  /** Consumes one pending fault matching the request, if any. */
  take(method: string, path: string): ResolvedFault | undefined {
    const entry = this.pendingFaults.find(
      ({ fault }) =>
        (!fault.method || fault.method.toUpperCase() === method) &&
        (!fault.pathIncludes || path.includes(fault.pathIncludes)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0)
      this.pendingFaults = this.pendingFaults.filter(p => p !== entry);
    this.injected += 1;
    return entry.fault;
  }
}
