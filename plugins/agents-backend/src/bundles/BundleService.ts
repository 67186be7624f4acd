import type { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, InputError, NotFoundError } from '@backstage/errors';
import type { AgentsPolicy } from '@backstage-agents/plugin-agents-common';
import type { BundleStore } from '@backstage-agents/plugin-agents-node';
import { DateTime } from 'luxon';
import type { Readable } from 'node:stream';
import type { BundleRecordStore, BundleRunContext } from '../database/BundleRecordStore';
import type { BundleRow } from '../database/sessionRows';
import { BundleTooLargeError, BundleVerifier, DIGEST_PATTERN } from './BundleVerifier';
import { runTokenMatches } from './runTokens';

const DEFAULT_MAX_BYTES = 1024 ** 3;
/** Bundles kept per session besides the current one: the previous run's, for a manual rollback. */
const KEEP_PER_SESSION = 2;

/**
 * Session bundles end to end: checks a run's token, streams an upload through verification into the
 * bundle store, and only then makes it the session's bundle; serves the bundle a run restores.
 * A failed upload leaves nothing behind and the previous bundle untouched.
 */
export class BundleService {
  constructor(
    private readonly deps: {
      records: BundleRecordStore;
      store: BundleStore;
      logger: LoggerService;
      /** How long after its run ends a token still works. */
      uploadGraceMs: number;
    },
  ) {}

  /** The run a token belongs to, if the token is the run's and the run may still transfer bundles. */
  async authenticate(runId: string, token: string | undefined): Promise<BundleRunContext> {
    if (!token) {
      throw new AuthenticationError('Send the run token in the X-Agents-Run-Token header');
    }
    const context = await this.deps.records.runContext(runId);
    // The same answer for an unknown run and a foreign token: nothing to learn by probing.
    if (!context || !runTokenMatches(token, context.run.run_token_hash)) {
      throw new AuthenticationError(`The run token is not valid for run ${runId}`);
    }
    const finishedAt = context.run.finished_at ? DateTime.fromISO(context.run.finished_at) : undefined;
    if (finishedAt && DateTime.utc().diff(finishedAt).toMillis() > this.deps.uploadGraceMs) {
      throw new AuthenticationError(
        `The run token of run ${runId} expired: the run ended at ${context.run.finished_at}`,
      );
    }
    return context;
  }

  async upload(
    context: BundleRunContext,
    input: { digest: string | undefined; contentLength: number | undefined; content: Readable },
  ): Promise<BundleRow> {
    const { records, store, logger } = this.deps;
    const digest = input.digest?.trim().toLowerCase();
    if (!digest || !DIGEST_PATTERN.test(digest)) {
      throw new InputError(
        'Send the bundle digest in the X-Agents-Bundle-Digest header as sha256:<64 hex digits>',
      );
    }
    const policy = JSON.parse(context.session.policy_snapshot) as Partial<AgentsPolicy>;
    const maxBytes = policy.maxBundleBytes ?? DEFAULT_MAX_BYTES;
    if (input.contentLength !== undefined && input.contentLength > maxBytes) {
      throw new BundleTooLargeError(
        `The bundle is ${input.contentLength} bytes; policy '${policy.name}' allows at most ${maxBytes}`,
      );
    }

    const bundleId = await records.startUpload({
      sessionId: context.session.id,
      runId: context.run.id,
      digest,
      storage: store.name,
    });
    const verifier = new BundleVerifier({ digest, maxBytes });
    input.content.on('error', error => verifier.destroy(error));
    input.content.on('aborted', () =>
      verifier.destroy(new InputError('The upload was interrupted before the whole bundle arrived')),
    );
    try {
      await store.write(bundleId, input.content.pipe(verifier));
      if (input.contentLength !== undefined && verifier.bytes !== input.contentLength) {
        throw new InputError(
          `The upload ended after ${verifier.bytes} of ${input.contentLength} bytes`,
        );
      }
    } catch (error) {
      await store.delete(bundleId).catch(() => undefined);
      await records.deleteRecord(bundleId);
      throw error;
    }
    const bundle = await records.completeUpload(bundleId, verifier.bytes);
    logger.info(
      `Stored bundle ${bundleId} of session ${context.session.id} (run ${context.run.id}, ${verifier.bytes} bytes, ${digest})`,
    );
    await this.prune(context.session.id);
    return bundle;
  }

  /** The bundle a run restores: the session's bundle when the run was launched. */
  async download(
    context: BundleRunContext,
  ): Promise<{ bundle: BundleRow; content: Readable }> {
    const bundleId = context.run.input_bundle_id;
    const bundle = bundleId ? await this.deps.records.completeBundle(bundleId) : undefined;
    if (!bundle) {
      throw new NotFoundError(`Run ${context.run.id} has no bundle to restore`);
    }
    const content = await this.deps.store.read(bundle.id);
    if (!content) {
      throw new NotFoundError(`The content of bundle ${bundle.id} is missing from the ${this.deps.store.name} bundle store`);
    }
    return { bundle, content };
  }

  /** Removes uploads abandoned mid-way (a backend restart) more than an hour ago. */
  async collectGarbage(): Promise<number> {
    const abandoned = await this.deps.records.abandonedUploads(DateTime.utc().minus({ hours: 1 }));
    for (const bundle of abandoned) await this.remove(bundle);
    return abandoned.length;
  }

  private async prune(sessionId: string) {
    const superseded = await this.deps.records.supersededBundles(sessionId, KEEP_PER_SESSION);
    for (const bundle of superseded) await this.remove(bundle);
  }

  private async remove(bundle: BundleRow) {
    try {
      await this.deps.store.delete(bundle.id);
      await this.deps.records.deleteRecord(bundle.id);
    } catch (error) {
      this.deps.logger.warn(`Could not remove bundle ${bundle.id}: ${error}`);
    }
  }
}
