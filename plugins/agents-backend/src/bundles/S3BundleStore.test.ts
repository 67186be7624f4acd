import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
// An S3-compatible server in process, so the store is tested against the real protocol. It ships
// no type declarations.
// @ts-expect-error
import S3rver from 's3rver';
import { S3BundleStore } from './S3BundleStore';

jest.setTimeout(60_000);

describe('S3BundleStore against an S3-compatible server', () => {
  let server: any;
  let endpoint: string;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = () =>
    ({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });

  beforeAll(async () => {
    server = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: fs.mkdtempSync(path.join(os.tmpdir(), 'agents-s3-')),
      configureBuckets: [{ name: 'bundles' }],
    });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await server?.close();
  });

  const keys = async () => {
    const s3 = new S3Client(client());
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'bundles' }));
    s3.destroy();
    return (listed.Contents ?? []).map(o => o.Key);
  };

  it('streams a multipart upload in and back out, and deletes it', async () => {
    const store = new S3BundleStore({ bucket: 'bundles', prefix: 'agents/', client: client() });
    const content = randomBytes(20 * 1024 * 1024 + 123);
    await store.write('bundle-1', Readable.from([content.subarray(0, 9e6), content.subarray(9e6)]));
    expect(await keys()).toEqual(['agents/bundle-1']);
    const read = await store.read('bundle-1');
    expect((await buffer(read!)).equals(content)).toBe(true);
    await store.delete('bundle-1');
    expect(await store.read('bundle-1')).toBeUndefined();
    store.destroy();
  });

  it('leaves nothing behind when the content stream fails mid-way', async () => {
    const store = new S3BundleStore({ bucket: 'bundles', client: client() });
    const failing = new Readable({
      read() {
        if (!this.readableLength) {
          this.push(randomBytes(10 * 1024 * 1024));
          setTimeout(() => this.destroy(new Error('digest mismatch')), 20);
        }
      },
    });
    await expect(store.write('bundle-2', failing)).rejects.toThrow('digest mismatch');
    expect(await store.read('bundle-2')).toBeUndefined();
    expect(await keys()).toEqual([]);
    store.destroy();
  });
});
