import { IncomingHttpHeaders } from 'node:http';

/**
 * Every request the simulator received, in order, so a test can assert what an agent sent: that a
 * resumed conversation carried the earlier turns back, which endpoints a CLI calls at startup.
 * Credentials never enter the record.
 */
export interface RecordedRequest {
  /** 1-based arrival order. */
  seq: number;
  /** ISO timestamp of arrival. */
  at: string;
  method: string;
  /** Path with query string, as sent. */
  path: string;
  headers: Record<string, string>;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
  /** Which protocol handled it, when one did. */
  protocol?: string;
  /** The scripted conversation that answered. */
  scenario?: string;
  /** The HTTP status answered. */
  status?: number;
}

/** Headers that carry credentials (or session cookies) and are never recorded. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'cookie',
]);

export function recordableHeaders(
  headers: IncomingHttpHeaders,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(name.toLowerCase())) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export class RequestRecorder {
  readonly requests: RecordedRequest[] = [];

  record(entry: Omit<RecordedRequest, 'seq' | 'at'>): RecordedRequest {
    const recorded: RecordedRequest = {
      seq: this.requests.length + 1,
      at: new Date().toISOString(),
      ...entry,
    };
    this.requests.push(recorded);
    return recorded;
  }

  /** Forgets everything recorded so far (the array is emptied in place). */
  clear(): void {
    this.requests.length = 0;
  }
}
