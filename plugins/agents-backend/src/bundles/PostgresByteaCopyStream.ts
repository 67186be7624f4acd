import { Readable } from 'node:stream';

/** The parts of a `pg` connection a submittable query talks to. */
interface PgConnection {
  query(text: string): void;
  stream: { pause(): void; resume(): void };
}

/** `PGCOPY\n\377\r\n\0`, then 32-bit flags and the length of a header extension. */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const HEADER_BYTES = SIGNATURE.length + 8;

type Phase = 'header' | 'extension' | 'fieldCount' | 'fieldLength' | 'value' | 'trailer';
/** Bytes of the fixed-size parts: the header, a tuple's field count, a field's length. */
const FIELD_BYTES: Record<Phase, number> = {
  header: HEADER_BYTES,
  fieldCount: 2,
  fieldLength: 4,
  extension: 0,
  value: 0,
  trailer: 0,
};

/**
 * The bytes of one `bytea` column, concatenated in row order, from a
 * `COPY (SELECT <column> …) TO STDOUT (FORMAT binary)` run on a `pg` client (pass it to
 * `client.query`). The driver would otherwise return bytea as hex text: twice the bytes on the wire
 * and a text decode of every value; the binary copy format carries values as they are stored.
 * Back-pressure reaches the server: the socket is paused while the reader is behind.
 */
export class PostgresByteaCopyStream extends Readable {
  private connection: PgConnection | undefined;
  private phase: Phase = 'header';
  /** Bytes of the current header, field count or field length read so far. */
  private pending = Buffer.alloc(0);
  private valueLeft = 0;
  private extensionLeft = 0;
  private finished = false;

  constructor(
    private readonly text: string,
    private readonly onDone: (error?: Error) => void,
  ) {
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  /** Called by `pg` when the query's turn comes. */
  submit(connection: PgConnection) {
    this.connection = connection;
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }) {
    if (this.destroyed) return;
    try {
      this.parse(message.chunk);
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  handleCommandComplete() {
    if (this.phase !== 'trailer') {
      this.destroy(new Error('The binary copy ended before its trailer'));
    }
  }

  handleReadyForQuery() {
    this.settle();
    if (!this.destroyed) this.push(null);
  }

  handleError(error: Error) {
    this.settle(error);
    this.destroy(error);
  }

  // Messages a COPY never gets; pg calls them on any active query.
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyInResponse() {}

  override _read() {
    this.connection?.stream.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    // The caller decides what becomes of a connection left mid-copy.
    this.settle(error ?? new Error('The binary copy was closed before it ended'));
    callback(error);
  }

  /** Reports the end of the copy, or the first reason it stopped, once. */
  private settle(error?: Error) {
    if (this.finished) return;
    this.finished = true;
    // The end of a copy may arrive in the same read as data that paused the socket: the connection
    // must not go back to the pool paused.
    this.connection?.stream.resume();
    this.onDone(error);
  }

  private parse(chunk: Buffer) {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.phase === 'value') {
        const n = Math.min(this.valueLeft, chunk.length - offset);
        // The driver reuses the buffer messages arrive in: copy before passing bytes on.
        if (!this.push(Buffer.from(chunk.subarray(offset, offset + n)))) {
          this.connection?.stream.pause();
        }
        offset += n;
        this.valueLeft -= n;
        if (this.valueLeft === 0) this.phase = 'fieldCount';
        continue;
      }
      if (this.phase === 'extension') {
        const n = Math.min(this.extensionLeft, chunk.length - offset);
        offset += n;
        this.extensionLeft -= n;
        if (this.extensionLeft === 0) this.phase = 'fieldCount';
        continue;
      }
      if (this.phase === 'trailer') {
        throw new Error('The binary copy has data after its trailer');
      }
      const want = FIELD_BYTES[this.phase];
      const take = Math.min(want - this.pending.length, chunk.length - offset);
      this.pending = Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
      offset += take;
      if (this.pending.length < want) continue;
      const field = this.pending;
      this.pending = Buffer.alloc(0);
      this.advance(field);
    }
  }

  private advance(field: Buffer) {
    switch (this.phase) {
      case 'header':
        if (!field.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
          throw new Error('The copy is not in the binary format');
        }
        this.extensionLeft = field.readUInt32BE(SIGNATURE.length + 4);
        this.phase = this.extensionLeft > 0 ? 'extension' : 'fieldCount';
        return;
      case 'fieldCount': {
        const count = field.readInt16BE(0);
        if (count === -1) this.phase = 'trailer';
        else if (count === 1) this.phase = 'fieldLength';
        else throw new Error(`The copy has ${count} columns; one bytea column was expected`);
        return;
      }
      case 'fieldLength': {
        const length = field.readInt32BE(0);
        if (length < 0) throw new Error('The copy has a NULL value');
        this.valueLeft = length;
        this.phase = length > 0 ? 'value' : 'fieldCount';
        return;
      }
      default:
        throw new Error(`Unexpected binary copy state ${this.phase}`);
    }
  }
}
