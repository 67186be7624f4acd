/**
 * Server-sent events, the framing all three protocols stream in. Protocol modules turn a reply into
 * a list of frames (pure, so tests read them without a server); the server writes them out, waiting
 * each frame's delay first (the `slow` script).
 */
export interface SseFrame {
  /** The `event:` line; the Anthropic and Responses APIs name every event, chat completions none. */
  event?: string;
  /** The `data:` payload, JSON text or chat completions' closing `[DONE]`. */
  data: string;
  /** Milliseconds to wait before sending this frame. */
  delayMs?: number;
}

export function jsonFrame(
  payload: unknown,
  event?: string,
  delayMs?: number,
): SseFrame {
  return { event, data: JSON.stringify(payload), delayMs };
}

export function formatFrame(frame: SseFrame): string {
  const lines = frame.event ? [`event: ${frame.event}`] : [];
  for (const line of frame.data.split('\n')) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

export interface ParsedEvent {
  event?: string;
  data: string;
}

/** Parses an SSE stream back into events (for tests and for clients of the simulator). */
export function parseSse(text: string): ParsedEvent[] {
  const events: ParsedEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0 || event) events.push({ event, data: data.join('\n') });
  }
  return events;
}

/** Splits text into word-sized chunks (each keeping its trailing space), as a model streams it. */
export function textChunks(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
