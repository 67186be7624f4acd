/** One request the fuzzer sends, as raw as HTTP allows. */
export interface FuzzRequest {
  /** The operation it aims at, e.g. `POST /sessions/{id}/resume` or `POST /api/events/http/github`. */
  operation: string;
  /** What kind of input it carries, e.g. `valid body` or `malformed JSON`: the report counts by it. */
  variant: string;
  method: string;
  /** The path and query string from the server's root, sent as they are. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/**
 * Percent-encodes the UTF-8 bytes of any string, lone surrogates included (they become U+FFFD),
 * where encodeURIComponent would throw.
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A path segment or query value as a careless client writes it: as is where HTTP lets it through. */
export function rawOrEncoded(value: string, raw: boolean): string {
  return raw && /^[\u0021-\u007e]*$/.test(value) && !value.includes('#') ? value : percentEncode(value);
}

/** A generated value as text in a path or query string: strings as they are, anything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value) ?? String(value);
}

/** A header value Node's HTTP client accepts: no control characters, nothing beyond Latin-1. */
export function headerSafe(value: string): string {
  return value.replace(/[^\t\u0020-\u007e]/g, '?').slice(0, 8_000);
}
