import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface LogEntry {
  time: string;
  stream: 'stdout' | 'stderr';
  line: string;
}

/**
 * One container's stdout+stderr, kept in a file in the CRI log layout
 * (`<RFC3339 time> <stream> F <line>` per line) so it outlives the process
 * and can be filtered by time for `sinceTime`/`timestamps`. Followers get new
 * lines as they are appended and are ended when the container exits.
 */
export class ContainerLog {
  private readonly partial: Record<LogEntry['stream'], string> = {
    stdout: '',
    stderr: '',
  };
  /** A multi-byte character may be split across chunks; the decoder holds its first bytes back. */
  private readonly decoders: Record<LogEntry['stream'], StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };
  private readonly followers = new Set<{
    onEntry(e: LogEntry): void;
    onEnd(): void;
  }>();
  private closed = false;

  constructor(readonly path: string) {
    writeFileSync(path, '');
  }

  /** Appends raw output; only complete lines are recorded until `close` flushes the rest. */
  write(stream: LogEntry['stream'], chunk: Buffer): void {
    // Output racing a pod's removal has nowhere to go.
    if (this.closed) return;
    const text = this.partial[stream] + this.decoders[stream].write(chunk);
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    this.record(stream, lines);
  }

  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest) this.record(stream, [rest]);
      this.partial[stream] = '';
    }
    this.closed = true;
    for (const follower of this.followers) follower.onEnd();
    this.followers.clear();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  entries(): LogEntry[] {
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter(l => l)
      .map(l => {
        const [time, stream, , ...rest] = l.split(' ');
        return {
          time,
          stream: stream as LogEntry['stream'],
          line: rest.join(' '),
        };
      });
  }

  /** Subscribes to lines written from now on; returns an unsubscribe function. */
  follow(onEntry: (e: LogEntry) => void, onEnd: () => void): () => void {
    if (this.closed) {
      onEnd();
      return () => {};
    }
    const follower = { onEntry, onEnd };
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  /**
   * Records the complete lines of one chunk: one file append and one time for all of them, as a
   * container runtime stamps what it reads at once (a pod printing thousands of lines a second
   * would otherwise cost a write per line).
   */
  private record(stream: LogEntry['stream'], lines: string[]): void {
    if (lines.length === 0) return;
    const time = new Date().toISOString();
    appendFileSync(this.path, lines.map(line => `${time} ${stream} F ${line}\n`).join(''));
    for (const line of lines) {
      const entry: LogEntry = { time, stream, line };
      for (const follower of this.followers) follower.onEntry(entry);
    }
  }
}
