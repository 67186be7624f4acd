import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { isSessionStatus } from '../statusModel';
import type { AgentsLogStreamEvent } from './types';

/**
 * Maps one Server-Sent Events message of `GET /sessions/{id}/logs` to a typed event. Messages of
 * other types, and data that is not what the OpenAPI document's `LogLine`, `LogStatusEvent` or
 * `LogEndEvent` describes, are skipped: a newer server may send events this client does not know.
 */
export function toLogStreamEvent(
  message: EventSourceMessage,
): AgentsLogStreamEvent | undefined {
  let data: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(message.data);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    data = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { seq, runId, timestamp, line, status, lastSeq } = data;
  switch (message.event) {
    case 'log':
      if (typeof seq !== 'number') return undefined;
      return {
        type: 'log',
        line: {
          seq,
          runId: String(runId ?? ''),
          timestamp: String(timestamp ?? ''),
          line: String(line ?? ''),
        },
      };
    case 'status':
      return isSessionStatus(status) ? { type: 'status', status } : undefined;
    case 'end':
      return isSessionStatus(status) && typeof lastSeq === 'number'
        ? { type: 'end', status, lastSeq }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * The events of one log stream response body, in order, until the server closes it, the consumer
 * stops iterating, or `signal` aborts (which ends the iteration as a close would). Leaving the loop
 * early cancels the body, which closes the connection.
 */
export async function* readLogEvents(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<AgentsLogStreamEvent> {
  const parsed: AgentsLogStreamEvent[] = [];
  const parser = createParser({
    onEvent: message => {
      const event = toLogStreamEvent(message);
      if (event) parsed.push(event);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  // Not every fetch implementation ends the body when its request is aborted: cancel it here too.
  const cancel = () => {
    reader.cancel().catch(() => {});
  };
  signal?.addEventListener('abort', cancel);
  let last = '';
  const feed = (text: string) => {
    if (!text) return;
    last = text;
    parser.feed(text);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      feed(decoder.decode(value, { stream: true }));
      yield* parsed.splice(0);
    }
    feed(decoder.decode());
    // The parser holds a final CR back in case an LF follows; at the end it ends its line all the same.
    if (last.endsWith('\r')) parser.feed('\n');
    // A message without its closing blank line is incomplete and dropped, as an EventSource would.
    yield* parsed.splice(0);
  } finally {
    signal?.removeEventListener('abort', cancel);
    cancel();
  }
}
