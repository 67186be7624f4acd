import { CustomErrorBase, InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { Parser } from 'tar';

/** A bundle larger than its policy allows; answered with 413. */
export class BundleTooLargeError extends CustomErrorBase {
  name = 'BundleTooLargeError' as const;
}

/** `sha256:` followed by 64 lowercase hex digits. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * Passes an uploaded bundle through while checking it, so a bad one never completes: it counts bytes
 * against the size limit, hashes them, and parses them as a gzip-compressed tar archive. Any
 * failure errors the stream — before its end reaches the store — with a message saying what is wrong.
 */
export class BundleVerifier extends Transform {
  private readonly hash = createHash('sha256');
  // Decompression runs on libuv's thread pool, beside hashing on the main thread. Output pieces of
  // 256 KiB: the default 16 KiB costs a round trip to the pool per piece, pieces of MiBs are fresh
  // allocations the kernel must fault in.
  private readonly gunzip: Gunzip = createGunzip({ chunkSize: 256 * 1024 });
  private readonly parser: Parser;
  private archiveError: Error | undefined;
  private archiveEnded: Promise<void>;
  private entries = 0;
  bytes = 0;

  constructor(
    private readonly expected: { digest: string; maxBytes: number },
  ) {
    super();
    this.parser = new Parser({ strict: true });
    this.parser.on('entry', entry => {
      this.entries++;
      entry.resume();
    });
    this.archiveEnded = new Promise(resolve => {
      const fail = (error: Error) => {
        this.archiveError ??= error;
        resolve();
      };
      this.gunzip.on('error', fail);
      this.parser.on('error', fail);
      this.parser.on('end', () => resolve());
      this.parser.on('close', () => resolve());
    });
    this.gunzip.on('data', (data: Buffer) => {
      if (!this.archiveError) this.parser.write(data);
    });
    this.gunzip.on('end', () => this.parser.end());
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    this.bytes += chunk.length;
    if (this.bytes > this.expected.maxBytes) {
      callback(
        new BundleTooLargeError(
          `The bundle is larger than the ${this.expected.maxBytes} bytes its policy allows`,
        ),
      );
      return;
    }
    this.hash.update(chunk);
    this.push(chunk);
    if (this.archiveError || this.gunzip.write(chunk)) {
      callback();
    } else {
      this.gunzip.once('drain', () => callback());
    }
  }

  override _flush(callback: TransformCallback) {
    if (this.archiveError) this.gunzip.destroy();
    else this.gunzip.end();
    this.archiveEnded.then(() => {
      const digest = `sha256:${this.hash.digest('hex')}`;
      if (digest !== this.expected.digest) {
        callback(
          new InputError(
            `The bundle's digest is ${digest}, not ${this.expected.digest} as declared: it was corrupted or truncated on the way; upload it again`,
          ),
        );
      } else if (this.archiveError) {
        callback(
          new InputError(
            `The bundle is not a valid gzip-compressed tar archive (${this.archiveError.message.replace(/^zlib: /, '')})`,
          ),
        );
      } else if (this.entries === 0) {
        callback(new InputError('The bundle is an empty archive; there is nothing to restore'));
      } else {
        callback();
      }
    });
  }

  get digest() {
    return this.expected.digest;
  }
}
