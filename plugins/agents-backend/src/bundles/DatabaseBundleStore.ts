import type { BundleStore } from '@backstage-agents/plugin-agents-node';
import type { Knex } from 'knex';
import { Readable } from 'node:stream';
import { isPostgres } from '../database/databaseClients';

/**
 * Rows of a few MiB keep memory flat whatever the bundle's size, and commits few. PostgreSQL gets
 * smaller rows: its driver sends and receives bytea as hex text, twice the size in memory.
 */
const chunkBytesFor = (db: Knex) => (isPostgres(db) ? 1024 * 1024 : 4 * 1024 * 1024);
const TABLE = 'agents_bundle_chunks';

/**
 * The default bundle store: content in Backstage's own database, as ordered rows of a few MiB, so
 * no extra infrastructure is needed and nothing is ever held in memory whole.
 */
export class DatabaseBundleStore implements BundleStore {
  readonly name = 'database';

  private readonly chunkBytes: number;

  constructor(private readonly db: Knex, chunkBytes?: number) {
    this.chunkBytes = chunkBytes ?? chunkBytesFor(db);
  }

  async write(key: string, content: Readable): Promise<void> {
    let seq = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // One insert in flight while the next chunk arrives: reading and writing overlap, and at most
    // two chunks are in memory.
    let inFlight: Promise<unknown> = Promise.resolve();
    const insert = async (data: Buffer) => {
      await inFlight;
      inFlight = this.db(TABLE).insert({ bundle_key: key, seq: seq++, data });
    };
    try {
      for await (const chunk of content) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        pending.push(buffer);
        pendingBytes += buffer.length;
        while (pendingBytes >= this.chunkBytes) {
          const all = Buffer.concat(pending, pendingBytes);
          await insert(all.subarray(0, this.chunkBytes));
          const rest = all.subarray(this.chunkBytes);
          pending = rest.length ? [rest] : [];
          pendingBytes = rest.length;
        }
      }
      // Always at least one row, so an existing key can be told from a missing one.
      if (pendingBytes > 0 || seq === 0) await insert(Buffer.concat(pending, pendingBytes));
      await inFlight;
    } catch (error) {
      await inFlight.catch(() => undefined);
      await this.delete(key);
      throw error;
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    const first = await this.db(TABLE).where({ bundle_key: key, seq: 0 }).first('seq');
    if (!first) return undefined;
    const db = this.db;
    // One row at a time: the reader's pace decides how much is in memory.
    return Readable.from(
      (async function* rows() {
        for (let seq = 0; ; seq++) {
          const row = await db(TABLE).where({ bundle_key: key, seq }).first('data');
          if (!row) return;
          yield Buffer.from(row.data);
        }
      })(),
      { objectMode: false },
    );
  }

  async delete(key: string): Promise<void> {
    await this.db(TABLE).where({ bundle_key: key }).delete();
  }
}
