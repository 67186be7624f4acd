import type { Readable } from 'node:stream';

/**
 * Keeps the content of session bundles: opaque archives of a harness's state directory. The backend
 * owns everything else about a bundle (its record, digest, size, which run made it and which run
 * restores it), so a store only moves bytes under a key it is given.
 *
 * The database store is the default; an S3-compatible store ships with the backend, and a module
 * can replace both through the bundle store extension point.
 */
export interface BundleStore {
  /** A short name recorded with each bundle, e.g. `database` or `s3`. */
  readonly name: string;
  /**
   * Stores `content` under `key`, streaming. Resolves only once everything is durable. When the
   * stream errors (a digest mismatch, an aborted upload), rejects and leaves nothing under `key`.
   */
  write(key: string, content: Readable): Promise<void>;
  /** Streams the content stored under `key`, or undefined when there is none. */
  read(key: string): Promise<Readable | undefined>;
  /** Removes whatever is stored under `key`; succeeds when there is nothing. */
  delete(key: string): Promise<void>;
}
