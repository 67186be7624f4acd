import { ResponseError } from '@backstage/errors';
import type { AgentsLogStreamEvent } from './types';

/** Opens one connection to a log stream, continuing after `after`; resolves once the server accepted it. */
export type OpenLogStream = (
  after: number,
) => Promise<AsyncIterable<AgentsLogStreamEvent>>;

/** A refusal (not found, not allowed, malformed) that reconnecting will not change. */
function isFinalRefusal(error: unknown): boolean {
  if (!(error instanceof ResponseError)) return false;
  const status = error.statusCode;
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const wait: { timer?: ReturnType<typeof setTimeout> } = {};
    const done = () => {
      clearTimeout(wait.timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    wait.timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

/**
 * Follows a log across connections: after a drop or a network error it reconnects after the last
 * seq received, and skips any line at or below it a server replays, so the caller sees every line
 * once, in order. Ends after the `end` event of a finished session, or quietly when `signal` aborts;
 * throws when the server refuses the stream (a 4xx other than 408 and 429).
 */
export async function* followLogStream(
  open: OpenLogStream,
  options: {
    after?: number;
    signal?: AbortSignal;
    retryDelayMs?: number;
    maxRetryDelayMs?: number;
  } = {},
): AsyncGenerator<AgentsLogStreamEvent> {
  const { signal } = options;
  const firstDelay = options.retryDelayMs ?? 1000;
  const maxDelay = options.maxRetryDelayMs ?? 15_000;
  let after = options.after ?? 0;
  let delay = firstDelay;
  while (!signal?.aborted) {
    try {
      const events = await open(after);
      delay = firstDelay;
      for await (const event of events) {
        if (event.type === 'log') {
          if (event.line.seq <= after) continue;
          after = event.line.seq;
        }
        yield event;
        if (event.type === 'end') return;
      }
    } catch (error) {
      if (signal?.aborted) return;
      if (isFinalRefusal(error)) throw error;
    }
    if (signal?.aborted) return;
    await sleep(delay, signal);
    delay = Math.min(delay * 2, maxDelay);
  }
}
