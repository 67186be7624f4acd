import { randomBytes } from 'node:crypto';
import type { RequestLogEntry } from './model';

/** An `x-github-request-id` in GitHub's shape, so the log and the response can be matched up. */
export function requestId(): string {
  const hex = (n: number) => randomBytes(n).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}`;
}

/** Records a served REST or git request, stamped now; tests read it back through `state.requests()`. */
export function logRequest(
  log: RequestLogEntry[],
  entry: Omit<RequestLogEntry, 'at'>,
): void {
  log.push({ at: new Date().toISOString(), ...entry });
}
