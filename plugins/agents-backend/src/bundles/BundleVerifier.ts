import { CustomErrorBase, InputError } from '@backstage/errors';
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ArchiveCheck } from './ArchiveCheck';

/** A bundle larger than its policy allows; answered with 413. */
export class BundleTooLargeError extends CustomErrorBase {
  name = 'BundleTooLargeError' as const;
}

/** `sha256:` followed by 64 lowercase hex digits. */
export const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * Passes an uploaded bundle through while checking it, so a bad one never completes: it counts bytes
 * against the size limit, hashes them, and has them parsed as a gzip-compressed tar archive (on a
 * worker thread, {@link ArchiveCheck}). Any failure errors the stream — before its end reaches the
 * store — with a message saying what is wrong.
 */
export class BundleVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private readonly archive = new ArchiveCheck();
  bytes = 0;

  constructor(
    private readonly expected: { digest: string; maxBytes: number },
  ) {
    super();
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
    this.archive.write(chunk).then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback) {
    this.archive.end().then(archive => {
      const digest = `sha256:${this.hash.digest('hex')}`;
      if (digest !== this.expected.digest) {
        callback(
          new InputError(
            `The bundle's digest is ${digest}, not ${this.expected.digest} as declared: it was corrupted or truncated on the way; upload it again`,
          ),
        );
      } else if (archive.error) {
        callback(
          new InputError(
            `The bundle is not a valid gzip-compressed tar archive (${archive.error.replace(/^zlib: /, '')})`,
          ),
        );
      } else if (archive.entries === 0) {
        callback(new InputError('The bundle is an empty archive; there is nothing to restore'));
      } else {
        callback();
      }
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.archive.destroy();
    callback(error);
  }

  get digest() {
    return this.expected.digest;
  }
}
