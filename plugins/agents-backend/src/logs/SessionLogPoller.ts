import type { LoggerService } from '@backstage/backend-plugin-api';
import type { LogChunkStore, LogState } from '../database/LogChunkStore';

/** Hears a session's state at each check: undefined once the session no longer exists. */
export type LogStateListener = (state: LogState | undefined) => void;

interface Watched {
  listeners: Set<LogStateListener>;
  timer: NodeJS.Timeout;
  inFlight: boolean;
}

/**
 * The periodic database check of live log streams, one per session and interval however many
 * viewers watch it on this replica: the session's status and last seq tell each viewer whether to
 * catch up (lines another replica wrote), announce a status, or end. Checked by every viewer on its
 * own, 200 viewers of one session would make 100 queries a second to learn the same two values.
 */
export class SessionLogPoller {
  private readonly watched = new Map<string, Watched>();

  constructor(
    private readonly logChunks: Pick<LogChunkStore, 'readLogState'>,
    private readonly intervalMs: number,
    private readonly logger: LoggerService,
  ) {}

  /** Calls `listener` with the session's state at each check until the returned function is called. */
  watch(sessionId: string, listener: LogStateListener): () => void {
    let watched = this.watched.get(sessionId);
    if (!watched) {
      const entry: Watched = {
        listeners: new Set(),
        inFlight: false,
        timer: setInterval(() => void this.check(sessionId, entry), this.intervalMs),
      };
      this.watched.set(sessionId, entry);
      watched = entry;
    }
    const entry = watched;
    entry.listeners.add(listener);
    return () => {
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && this.watched.get(sessionId) === entry) {
        clearInterval(entry.timer);
        this.watched.delete(sessionId);
      }
    };
  }

  private async check(sessionId: string, entry: Watched) {
    // A slow database must not pile checks up: the next tick looks again.
    if (entry.inFlight) return;
    entry.inFlight = true;
    try {
      const state = await this.logChunks.readLogState(sessionId);
      for (const listener of [...entry.listeners]) listener(state);
    } catch (error) {
      this.logger.warn(`Checking the log of session ${sessionId} failed: ${error}`);
    } finally {
      entry.inFlight = false;
    }
  }
}
