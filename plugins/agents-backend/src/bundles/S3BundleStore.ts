import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Config } from '@backstage/config';
import type { BundleStore } from '@backstage-agents/plugin-agents-node';
import type { Readable } from 'node:stream';

/** Where bundles go in an S3-compatible object store, from `agents.bundles.s3`. */
export interface S3BundleStoreOptions {
  bucket: string;
  /** Prepended to every key, e.g. `agents/bundles/`. */
  prefix?: string;
  client: S3ClientConfig;
}

/** Parts of 8 MiB (S3 wants at least 5 MiB but the last), two uploading while a third fills. */
const PART_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/**
 * Bundles in an S3-compatible object store (AWS S3, MinIO, Ceph, R2…). Uploads are multipart and
 * streamed: a few parts are in memory at a time; a failed upload is aborted, so nothing is left.
 */
export class S3BundleStore implements BundleStore {
  readonly name = 's3';
  private readonly s3: S3Client;

  constructor(private readonly options: S3BundleStoreOptions) {
    this.s3 = new S3Client(options.client);
  }

  static fromConfig(config: Config): S3BundleStore {
    const s3 = config.getConfig('agents.bundles.s3');
    const accessKeyId = s3.getOptionalString('accessKeyId');
    const secretAccessKey = s3.getOptionalString('secretAccessKey');
    return new S3BundleStore({
      bucket: s3.getString('bucket'),
      prefix: s3.getOptionalString('prefix') ?? '',
      client: {
        region: s3.getOptionalString('region') ?? 'us-east-1',
        endpoint: s3.getOptionalString('endpoint'),
        forcePathStyle: s3.getOptionalBoolean('forcePathStyle') ?? false,
        // Without static keys the SDK's default chain applies (IRSA, instance roles, env).
        credentials:
          accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
      },
    });
  }

  /**
   * The content goes into a few part buffers that are reused part after part: no per-part
   * allocation and concatenation, whose fresh memory costs more than the copy itself. A bundle that
   * fits in one part is a single PUT.
   */
  async write(key: string, content: Readable): Promise<void> {
    const target = { Bucket: this.options.bucket, Key: this.objectKey(key) };
    const free = Array.from({ length: PARTS_IN_FLIGHT + 1 }, () => Buffer.allocUnsafeSlow(PART_BYTES));
    const inFlight = new Set<Promise<void>>();
    const parts: CompletedPart[] = [];
    let uploadId: string | undefined;
    let failure: unknown;
    let part = free.pop()!;
    let filled = 0;

    const sendPart = async (buffer: Buffer, length: number) => {
      if (!uploadId) {
        const created = await this.s3.send(
          new CreateMultipartUploadCommand({ ...target, ContentType: 'application/gzip' }),
        );
        uploadId = created.UploadId!;
      }
      const PartNumber = parts.length + 1;
      parts.push({ PartNumber });
      const sent = this.s3
        .send(
          new UploadPartCommand({
            ...target,
            UploadId: uploadId,
            PartNumber,
            Body: buffer.subarray(0, length),
          }),
        )
        .then(
          ({ ETag }) => {
            parts[PartNumber - 1].ETag = ETag;
          },
          error => {
            failure ??= error;
          },
        )
        .finally(() => {
          inFlight.delete(sent);
          free.push(buffer);
        });
      inFlight.add(sent);
      while (free.length === 0) await Promise.race(inFlight);
      if (failure) throw failure;
    };

    try {
      for await (const chunk of content) {
        const piece: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        let offset = 0;
        while (offset < piece.length) {
          const n = piece.copy(part, filled, offset);
          offset += n;
          filled += n;
          if (filled === PART_BYTES) {
            await sendPart(part, filled);
            part = free.pop()!;
            filled = 0;
          }
        }
      }
      if (!uploadId) {
        await this.s3.send(
          new PutObjectCommand({ ...target, ContentType: 'application/gzip', Body: part.subarray(0, filled) }),
        );
        return;
      }
      if (filled > 0) await sendPart(part, filled);
      await Promise.all(inFlight);
      if (failure) throw failure;
      await this.s3.send(
        new CompleteMultipartUploadCommand({ ...target, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await Promise.allSettled(inFlight);
      if (uploadId) {
        await this.s3
          .send(new AbortMultipartUploadCommand({ ...target, UploadId: uploadId }))
          .catch(() => undefined);
      }
      throw error;
    }
  }

  async read(key: string): Promise<Readable | undefined> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        return undefined;
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(
      new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
    );
  }

  destroy() {
    this.s3.destroy();
  }

  private objectKey(key: string) {
    return `${this.options.prefix ?? ''}${key}`;
  }
}
