import type { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { createTestDatabases, databaseServiceFor } from '../__testUtils__/testDatabases';
import { AgentsDatabase } from '../database/AgentsDatabase';
import { isPostgres } from '../database/databaseClients';
import { DatabaseBundleStore } from './DatabaseBundleStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ROW_BYTES = 64 * 1024;

/** `content` as a stream of pieces of uneven sizes, none aligned with the store's rows. */
function inPieces(content: Buffer): Readable {
  const pieces: Buffer[] = [];
  for (let offset = 0, size = 1; offset < content.length; size = (size * 7 + 13) % 100_000 + 1) {
    pieces.push(content.subarray(offset, offset + size));
    offset += size;
  }
  return Readable.from(pieces);
}

describe.each(databases.eachSupportedId())('DatabaseBundleStore on %p', (databaseId: TestDatabaseId) => {
  let knex: Knex;
  let store: DatabaseBundleStore;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await AgentsDatabase.create({ database: databaseServiceFor(knex) });
    store = new DatabaseBundleStore(knex, ROW_BYTES);
  });

  const rows = async (key: string) =>
    Number((await knex('agents_bundle_chunks').where({ bundle_key: key }).count({ n: '*' }))[0].n);

  it('splits content into rows and streams it back byte for byte', async () => {
    const content = randomBytes(5 * ROW_BYTES + 4321);
    await store.write('bundle-a', inPieces(content));
    expect(await rows('bundle-a')).toBe(6);
    expect((await buffer((await store.read('bundle-a'))!)).equals(content)).toBe(true);
    // Read again: nothing is consumed by reading.
    expect((await buffer((await store.read('bundle-a'))!)).equals(content)).toBe(true);
  });

  it('keeps an empty bundle apart from a missing one', async () => {
    await store.write('bundle-empty', Readable.from([]));
    expect((await buffer((await store.read('bundle-empty'))!)).length).toBe(0);
    expect(await store.read('bundle-missing')).toBeUndefined();
  });

  it('leaves no rows behind when the content fails mid-way', async () => {
    let sent = false;
    const failing = new Readable({
      read() {
        if (sent) this.destroy(new Error('digest mismatch'));
        else this.push(randomBytes(3 * ROW_BYTES));
        sent = true;
      },
    });
    await expect(store.write('bundle-failed', failing)).rejects.toThrow('digest mismatch');
    expect(await rows('bundle-failed')).toBe(0);
    expect(await store.read('bundle-failed')).toBeUndefined();
  });

  it('deletes every row of a bundle', async () => {
    await store.write('bundle-deleted', inPieces(randomBytes(3 * ROW_BYTES)));
    await store.delete('bundle-deleted');
    expect(await rows('bundle-deleted')).toBe(0);
  });

  it('frees what a download holds when its reader stops half-way, every time', async () => {
    const content = randomBytes(40 * ROW_BYTES);
    await store.write('bundle-abandoned', inPieces(content));
    // More abandoned downloads than the pool has connections: none may be kept.
    for (let i = 0; i < 12; i++) {
      const stream = (await store.read('bundle-abandoned'))!;
      await new Promise<void>(resolve => stream.once('readable', () => resolve()));
      stream.read(ROW_BYTES);
      stream.destroy();
      await new Promise(resolve => stream.once('close', resolve));
    }
    expect((await buffer((await store.read('bundle-abandoned'))!)).equals(content)).toBe(true);
    expect(await knex('agents_bundle_chunks').where({ bundle_key: 'bundle-abandoned', seq: 0 }).first('seq')).toBeTruthy();
  });

  it('stores rows without compressing them again on PostgreSQL', async () => {
    if (!isPostgres(knex)) return;
    const { rows: columns } = await knex.raw(
      "SELECT attstorage FROM pg_attribute WHERE attrelid = 'agents_bundle_chunks'::regclass AND attname = 'data'",
    );
    expect(columns[0].attstorage).toBe('e');
  });
});
