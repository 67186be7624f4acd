import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { PostgresByteaCopyStream } from './PostgresByteaCopyStream';

/** What PostgreSQL sends for `COPY (SELECT data …) TO STDOUT (FORMAT binary)`. */
function binaryCopy(values: Buffer[], extension = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(19);
  header.write('PGCOPY\n\xff\r\n\0', 0, 'latin1');
  header.writeUInt32BE(extension.length, 15);
  const tuples = values.map(value => {
    const prefix = Buffer.alloc(6);
    prefix.writeInt16BE(1, 0);
    prefix.writeInt32BE(value.length, 2);
    return Buffer.concat([prefix, value]);
  });
  return Buffer.concat([header, extension, ...tuples, Buffer.from([0xff, 0xff])]);
}

/** Feeds `data` to the stream the way the driver does, in messages of the given sizes. */
function feed(stream: PostgresByteaCopyStream, data: Buffer, sizes: number[]) {
  const connection = { query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } };
  stream.submit(connection);
  for (let offset = 0, i = 0; offset < data.length; i++) {
    const size = sizes[i % sizes.length];
    stream.handleCopyData({ chunk: data.subarray(offset, offset + size) });
    offset += size;
  }
  stream.handleCommandComplete();
  stream.handleReadyForQuery();
  return connection;
}

describe('PostgresByteaCopyStream', () => {
  const values = [randomBytes(70_000), Buffer.alloc(0), randomBytes(3), randomBytes(200_000)];

  it.each([[[1]], [[5, 2, 11]], [[65_536]], [[10_000_000]]])(
    'yields the values in order whatever the message boundaries (%p)',
    async sizes => {
      const done = jest.fn();
      const stream = new PostgresByteaCopyStream('COPY …', done);
      feed(stream, binaryCopy(values, Buffer.from('ext')), sizes);
      expect((await buffer(stream)).equals(Buffer.concat(values))).toBe(true);
      expect(done).toHaveBeenCalledWith(undefined);
    },
  );

  it('copies the bytes it passes on, as the driver reuses its buffer', async () => {
    const data = binaryCopy([Buffer.from('original')]);
    const stream = new PostgresByteaCopyStream('COPY …', () => undefined);
    feed(stream, data, [data.length]);
    data.fill(0);
    expect((await buffer(stream)).toString()).toBe('original');
  });

  it('leaves the socket flowing when the copy ends, even while its reader is behind', async () => {
    const done = jest.fn();
    const stream = new PostgresByteaCopyStream('COPY …', done);
    // The whole copy in one read: data that pauses the socket, then the end of the query.
    const connection = feed(stream, binaryCopy([randomBytes(8 * 1024 * 1024)]), [10_000_000]);
    expect(connection.stream.pause).toHaveBeenCalled();
    expect(connection.stream.resume).toHaveBeenCalled();
    expect(connection.stream.resume.mock.invocationCallOrder[0]).toBeLessThan(done.mock.invocationCallOrder[0]);
    await buffer(stream);
  });

  it('pauses the socket while its reader is behind, and resumes it when read', async () => {
    const stream = new PostgresByteaCopyStream('COPY …', () => undefined);
    const connection = { query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } };
    stream.submit(connection);
    const data = binaryCopy([randomBytes(8 * 1024 * 1024)]);
    const trailer = data.length - 2;
    for (let offset = 0; offset < trailer; offset += 1024 * 1024) {
      stream.handleCopyData({ chunk: data.subarray(offset, Math.min(offset + 1024 * 1024, trailer)) });
    }
    expect(connection.stream.pause).toHaveBeenCalled();
    expect(connection.stream.resume).not.toHaveBeenCalled();
    stream.read();
    await new Promise(resolve => setImmediate(resolve));
    expect(connection.stream.resume).toHaveBeenCalled();
    stream.handleCopyData({ chunk: data.subarray(trailer) });
    stream.handleCommandComplete();
    stream.handleReadyForQuery();
    await buffer(stream);
  });

  it('fails on anything but one bytea column in the binary format', async () => {
    const text = new PostgresByteaCopyStream('COPY …', () => undefined);
    text.submit({ query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } });
    text.handleCopyData({ chunk: Buffer.from('1\tabc\n'.repeat(5)) });
    await expect(buffer(text)).rejects.toThrow('not in the binary format');

    const twoColumns = binaryCopy([]);
    const tuple = Buffer.alloc(2);
    tuple.writeInt16BE(2);
    const wide = new PostgresByteaCopyStream('COPY …', () => undefined);
    wide.submit({ query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } });
    wide.handleCopyData({ chunk: Buffer.concat([twoColumns.subarray(0, 19), tuple]) });
    await expect(buffer(wide)).rejects.toThrow('2 columns');
  });

  it('reports a server error once, and an early close as an error', async () => {
    const done = jest.fn();
    const failed = new PostgresByteaCopyStream('COPY …', done);
    failed.submit({ query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } });
    failed.handleError(new Error('relation does not exist'));
    failed.handleReadyForQuery();
    await expect(buffer(failed)).rejects.toThrow('relation does not exist');
    expect(done).toHaveBeenCalledTimes(1);

    const closed = jest.fn();
    const early = new PostgresByteaCopyStream('COPY …', closed);
    early.submit({ query: jest.fn(), stream: { pause: jest.fn(), resume: jest.fn() } });
    early.destroy();
    expect(closed).toHaveBeenCalledWith(expect.any(Error));
  });
});
