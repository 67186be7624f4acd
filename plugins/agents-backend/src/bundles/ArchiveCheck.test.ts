import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import { ArchiveCheck } from './ArchiveCheck';

/** A gzip-compressed tar archive of `files` random files of `bytes` each. */
async function archive(files: number, bytes: number): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-check-'));
  try {
    const names = Array.from({ length: files }, (_, i) => `file-${i}`);
    for (const name of names) fs.writeFileSync(path.join(dir, name), randomBytes(bytes));
    const chunks: Buffer[] = [];
    for await (const chunk of create({ gzip: true, cwd: dir }, names)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `content` to a check in pieces of `size` bytes, as an upload arrives. */
async function check(content: Buffer, size = 64 * 1024) {
  const archiveCheck = new ArchiveCheck();
  for (let at = 0; at < content.length; at += size) await archiveCheck.write(content.subarray(at, at + size));
  return archiveCheck.end();
}

describe('ArchiveCheck', () => {
  it('counts the entries of archives checked side by side, larger than what it holds for one', async () => {
    const [big, small] = await Promise.all([archive(2, 12 * 1024 * 1024), archive(3, 1000)]);
    const results = await Promise.all([check(big), check(small, 100), check(big, 1024 * 1024)]);
    expect(results).toEqual([{ entries: 2 }, { entries: 3 }, { entries: 2 }]);
  });

  it('says why bytes are not a gzip-compressed tar archive, junk or cut short', async () => {
    const good = await archive(1, 100_000);
    const junk = await check(randomBytes(5 * 1024 * 1024));
    expect(junk.error).toMatch(/header/i);
    const truncated = await check(good.subarray(0, good.length - 200));
    expect(truncated.error).toEqual(expect.any(String));
    // The worker is still there for the next upload.
    expect(await check(good)).toEqual({ entries: 1 });
  });

  it('lets an upload that failed otherwise stop its check', async () => {
    const stopped = new ArchiveCheck();
    await stopped.write(randomBytes(1000));
    stopped.destroy();
    expect(await check(await archive(1, 10))).toEqual({ entries: 1 });
  });
});
