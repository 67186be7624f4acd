import type { Readable } from 'node:stream';

/** Where a stored bundle lives and how to check it. */
export interface StoredBundle {
  id: string;
  sessionId: string;
  runId?: string;
  /** `sha256:<hex>` of the archive. */
  digest: string;
  sizeBytes: number;
  createdAt: string;
}

/**
 * Keeps session bundles: opaque archives of a harness's state directory. The database store is the
 * default; an S3-compatible store can replace it through the bundle store extension point.
 */
export interface BundleStore {
  /** Streams an archive in; rejects it when `expectedDigest` is given and does not match. */
  put(options: {
    sessionId: string;
    runId?: string;
    content: Readable;
    expectedDigest?: string;
  }): Promise<StoredBundle>;
  /** Streams an archive out, or undefined when there is no such bundle. */
  get(
    bundleId: string,
  ): Promise<{ bundle: StoredBundle; content: Readable } | undefined>;
  delete(bundleId: string): Promise<void>;
}
