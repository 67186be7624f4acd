import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
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

  async write(key: string, content: Readable): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Body: content,
        ContentType: 'application/gzip',
      },
      queueSize: 2,
      partSize: 8 * 1024 * 1024,
      leavePartsOnError: false,
    });
    // lib-storage reads the body itself; a source error must abort the multipart upload.
    const failed = new Promise<never>((_, reject) => {
      content.once('error', error => {
        upload.abort().catch(() => undefined);
        reject(error);
      });
    });
    try {
      await Promise.race([upload.done(), failed]);
    } catch (error) {
      await this.delete(key).catch(() => undefined);
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
