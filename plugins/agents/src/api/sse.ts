/** One dispatched Server-Sent Events message. */
export type SseMessage = {
  event: string;
  data: string;
  /** The `id` field of this message, when it had one. */
  id?: string;
};

/**
 * An incremental parser for the `text/event-stream` format (WHATWG HTML, "Server-sent events"): feed
 * it decoded text in chunks of any size; it calls `onMessage` for each complete message.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly onMessage: (message: SseMessage) => void) {}

  push(chunk: string): void {
    const text = this.buffer + chunk;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A trailing CR may be the first half of a CRLF split across chunks: wait for the next one.
      if (c === 13 && i === text.length - 1) break;
      const line = text.slice(start, i);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
      this.line(line);
    }
    this.buffer = text.slice(start);
  }

  /** The stream ended: a final CR still ends its line. A message without its blank line is dropped. */
  end(): void {
    if (this.buffer.endsWith('\r')) {
      const line = this.buffer.slice(0, -1);
      this.buffer = '';
      this.line(line);
    }
  }

  private line(line: string) {
    if (line === '') {
      if (this.data.length > 0) {
        this.onMessage({
          event: this.event || 'message',
          data: this.data.join('\n'),
          ...(this.id !== undefined ? { id: this.id } : {}),
        });
      }
      this.event = '';
      this.data = [];
      this.id = undefined;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
