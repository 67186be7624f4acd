import type { DatabaseService } from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { AdmissionStore } from './AdmissionStore';
import { BundleRecordStore } from './BundleRecordStore';
import { FanOutWaveStore } from './FanOutWaveStore';
import { isSqlite } from './databaseClients';
import { LeaseStore } from './LeaseStore';
import { LogChunkStore } from './LogChunkStore';
import { applyDatabaseMigrations } from './migrations';
import { PullRequestStore } from './PullRequestStore';
import type { StatusChangeListener } from './sessionChanges';
import { SessionReader } from './SessionReader';
import { SessionStore } from './SessionStore';
import { TransitionStore } from './TransitionStore';
import { UsageStore } from './UsageStore';
import { WebhookDeliveryStore } from './WebhookDeliveryStore';

/**
 * The plugin's database: migrated and tuned once, then offered as narrow stores, one per concern.
 * Each consumer takes only the stores it uses.
 */
export class AgentsDatabase {
  readonly sessions: SessionStore;
  readonly transitions: TransitionStore;
  readonly logChunks: LogChunkStore;
  readonly admission: AdmissionStore;
  readonly pullRequests: PullRequestStore;
  readonly webhookDeliveries: WebhookDeliveryStore;
  readonly bundleRecords: BundleRecordStore;
  readonly waves: FanOutWaveStore;
  readonly usage: UsageStore;
  readonly leases: LeaseStore;

  private constructor(
    readonly client: Knex,
    onStatusChanges: StatusChangeListener,
  ) {
    const reader = new SessionReader(client);
    this.sessions = new SessionStore(client, reader, onStatusChanges);
    this.transitions = new TransitionStore(client, reader, onStatusChanges);
    this.logChunks = new LogChunkStore(client);
    this.admission = new AdmissionStore(client);
    this.pullRequests = new PullRequestStore(client, reader);
    this.webhookDeliveries = new WebhookDeliveryStore(client);
    this.bundleRecords = new BundleRecordStore(client);
    this.waves = new FanOutWaveStore(client, reader, onStatusChanges);
    this.usage = new UsageStore(client);
    this.leases = new LeaseStore(client);
  }

  /** `onStatusChanges` hears every status a committed write set (the session event hub). */
  static async create(options: {
    database: DatabaseService;
    onStatusChanges?: StatusChangeListener;
  }): Promise<AgentsDatabase> {
    const client = await options.database.getClient();
    await applyDatabaseMigrations(options.database, client);
    if (isSqlite(client)) {
      // Every status change and log chunk is a small write transaction. SQLite's default rollback
      // journal syncs the disk several times per commit; write-ahead logging with NORMAL sync syncs
      // at checkpoints only (a power cut may lose the last commits, never corrupt the file). Production
      // runs PostgreSQL; this keeps the SQLite default usable for development and small installations.
      await client.raw('PRAGMA journal_mode = WAL');
      await client.raw('PRAGMA synchronous = NORMAL');
    }
    return new AgentsDatabase(client, options.onStatusChanges ?? (() => {}));
  }
}
