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
    for (const line of lines) this.record(stream, line);
  }

  close(): void {
    if (this.closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest) this.record(stream, rest);
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

  private record(stream: LogEntry['stream'], line: string): void {
    const entry: LogEntry = { time: new Date().toISOString(), stream, line };
    appendFileSync(this.path, `${entry.time} ${stream} F ${line}\n`);
    for (const follower of this.followers) follower.onEntry(entry);
  }
}
