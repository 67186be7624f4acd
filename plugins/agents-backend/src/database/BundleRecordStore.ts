import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { BundleRow, RunRow, SessionRow } from './sessionRows';

/** A run as the bundle endpoints need it: who it is, where its session is, what it may transfer. */
export interface BundleRunContext {
  run: Pick<RunRow, 'id' | 'session_id' | 'phase' | 'finished_at' | 'run_token_hash' | 'input_bundle_id'>;
  session: Pick<SessionRow, 'id' | 'policy_snapshot' | 'bundle_id'>;
}

/**
 * Records of session bundles. The content lives in a bundle store; a record is `uploading` until
 * its content is stored and verified, and only a complete record is ever pointed at by a session.
 */
export class BundleRecordStore {
  constructor(private readonly db: Knex) {}

  async runContext(runId: string): Promise<BundleRunContext | undefined> {
    const run = await this.db<RunRow>('agents_runs')
      .where({ id: runId })
      .first('id', 'session_id', 'phase', 'finished_at', 'run_token_hash', 'input_bundle_id');
    if (!run) return undefined;
    const session = await this.db<SessionRow>('agents_sessions')
      .where({ id: run.session_id })
      .first('id', 'policy_snapshot', 'bundle_id');
    return session ? { run, session } : undefined;
  }

  async startUpload(input: { sessionId: string; runId: string; digest: string; storage: string }) {
    const id = randomUUID();
    await this.db<BundleRow>('agents_bundles').insert({
      id,
      session_id: input.sessionId,
      run_id: input.runId,
      digest: input.digest,
      size_bytes: 0,
      storage: input.storage,
      location: null,
      state: 'uploading',
      created_at: DateTime.utc().toISO()!,
    });
    return id;
  }

  /** Marks a verified upload complete and makes it the session's current bundle, in one step. */
  async completeUpload(bundleId: string, sizeBytes: number): Promise<BundleRow> {
    return this.db.transaction(async tx => {
      await tx<BundleRow>('agents_bundles')
        .where({ id: bundleId })
        .update({ state: 'complete', size_bytes: sizeBytes, created_at: DateTime.utc().toISO()! });
      const bundle = await tx<BundleRow>('agents_bundles').where({ id: bundleId }).first();
      await tx<RunRow>('agents_runs').where({ id: bundle!.run_id! }).update({ bundle_id: bundleId });
      await tx<SessionRow>('agents_sessions')
        .where({ id: bundle!.session_id })
        .update({ bundle_id: bundleId });
      return bundle!;
    });
  }

  async deleteRecord(bundleId: string): Promise<void> {
    await this.db('agents_bundles').where({ id: bundleId }).delete();
  }

  async completeBundle(bundleId: string): Promise<BundleRow | undefined> {
    return this.db<BundleRow>('agents_bundles').where({ id: bundleId, state: 'complete' }).first();
  }

  /**
   * Complete bundles of a session that nothing needs any more: not among the newest `keep`, not the
   * session's current one, and not what a run that has not finished is about to restore.
   */
  async supersededBundles(sessionId: string, keep: number): Promise<BundleRow[]> {
    const session = await this.db<SessionRow>('agents_sessions').where({ id: sessionId }).first('bundle_id');
    const inUse = await this.db<RunRow>('agents_runs')
      .where({ session_id: sessionId })
      .whereNull('finished_at')
      .whereNotNull('input_bundle_id')
      .pluck('input_bundle_id');
    const bundles = await this.db<BundleRow>('agents_bundles')
      .where({ session_id: sessionId, state: 'complete' })
      .orderBy('created_at', 'desc');
    const protectedIds = new Set([session?.bundle_id, ...inUse].filter(Boolean));
    return bundles.slice(keep).filter(b => !protectedIds.has(b.id));
  }

  /** Uploads that never completed (the backend stopped mid-upload) and are older than `before`. */
  async abandonedUploads(before: DateTime): Promise<BundleRow[]> {
    return this.db<BundleRow>('agents_bundles')
      .where({ state: 'uploading' })
      .where('created_at', '<', before.toUTC().toISO()!)
      .limit(100);
  }
}
