import type { LoggerService } from '@backstage/backend-plugin-api';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { LeaseStore } from '../database/LeaseStore';
import { describeApiError } from './kubeErrors';
import { sleep } from './sleep';

/** Runs work on one replica at a time. */
export interface ReconcilerLease {
  /**
   * Runs `work` whenever this replica holds the lease, with a signal that aborts when it stops
   * holding it; again after `work` returns, until `stop`.
   */
  run(work: (signal: AbortSignal) => Promise<void>): void;
  /** Stops running work and gives the lease up, so that another replica takes over at once. */
  stop(): Promise<void>;
}

const LEASE_NAME = 'reconciler';

/**
 * The reconciler's lease, kept in the database: the holder renews it every third of `ttlMs` and keeps
 * it for as long as it lives; the other replicas try to take it as often. A holder that dies (or loses
 * the database) is replaced about `ttlMs` later, and stops its own work before then, after two missed
 * renewals, so two replicas never reconcile at once. A replica that shuts down releases it.
 *
 * Not the scheduler's global task: a task whose holder dies stays taken until the scheduler's janitor
 * frees it, up to a minute after its timeout, and a task has to end and be taken again to hand over.
 */
export class DatabaseLease implements ReconcilerLease {
  private readonly holder = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  constructor(
    private readonly options: {
      store: Pick<LeaseStore, 'acquire' | 'release'>;
      ttlMs: number;
      logger: LoggerService;
    },
  ) {}

  run(work: (signal: AbortSignal) => Promise<void>): void {
    this.running ??= this.loop(work);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.options.store.release(LEASE_NAME, this.holder).catch(() => undefined);
  }

  private async loop(work: (signal: AbortSignal) => Promise<void>): Promise<void> {
    const { logger } = this.options;
    const stopping = this.stopping.signal;
    while (!stopping.aborted) {
      const takenAt = Date.now();
      if (!(await this.acquire())) {
        await sleep(this.renewEveryMs, stopping);
        continue;
      }
      logger.info(`Reconciler lease taken by ${this.holder}`);
      const held = new AbortController();
      const renewing = this.keepRenewing(held, takenAt);
      try {
        await work(AbortSignal.any([held.signal, stopping]));
      } catch (error) {
        logger.warn(`Reconciler work failed while holding the lease: ${describeApiError(error)}`);
      } finally {
        held.abort();
        await renewing;
      }
    }
  }

  /**
   * Renews the lease until `held` aborts; aborts it when the lease is lost or two renewals in a row
   * fail. `renewedAt` is when the last successful acquire began (the database counts from a moment
   * after it), so the holder stops a third of `ttlMs` before anyone else may start.
   */
  private async keepRenewing(held: AbortController, renewedAt: number): Promise<void> {
    const { logger } = this.options;
    const deadlineFrom = (start: number) =>
      setTimeout(() => held.abort(), start + this.renewEveryMs * 2 - Date.now());
    let deadline = deadlineFrom(renewedAt);
    try {
      while (!held.signal.aborted) {
        await sleep(this.renewEveryMs, held.signal);
        if (held.signal.aborted) return;
        const started = Date.now();
        let renewed: boolean;
        try {
          renewed = await this.options.store.acquire(LEASE_NAME, this.holder, this.options.ttlMs);
        } catch (error) {
          logger.warn(`Renewing the reconciler lease failed: ${describeApiError(error)}`);
          continue;
        }
        if (!renewed) {
          logger.warn('The reconciler lease went to another replica');
          held.abort();
          return;
        }
        clearTimeout(deadline);
        deadline = deadlineFrom(started);
      }
    } finally {
      clearTimeout(deadline);
    }
  }

  private async acquire(): Promise<boolean> {
    try {
      return await this.options.store.acquire(LEASE_NAME, this.holder, this.options.ttlMs);
    } catch (error) {
      this.options.logger.warn(`Taking the reconciler lease failed: ${describeApiError(error)}`);
      return false;
    }
  }

  private get renewEveryMs(): number {
    return Math.max(100, this.options.ttlMs / 3);
  }
}

/** A lease always held, for a single process that reconciles alone (tests, the bench). */
export class SoleLease implements ReconcilerLease {
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  run(work: (signal: AbortSignal) => Promise<void>): void {
    this.running ??= (async () => {
      while (!this.stopping.signal.aborted) await work(this.stopping.signal).catch(() => undefined);
    })();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }
}
