import type { LogLine, SessionStatus } from '@backstage-agents/plugin-agents-common';
import type { SessionStatusChange } from '../database/SessionStore';

/** What a live viewer of a session hears about. */
export type SessionEvent =
  | { type: 'lines'; lines: LogLine[] }
  | { type: 'status'; status: SessionStatus };

type Listener = (event: SessionEvent) => void;

/**
 * In-process fan-out of a session's new log lines and status changes to its live viewers. Lines are
 * persisted before they are published, so a viewer that misses an event (or listens on another
 * replica) can always catch up from the database by seq.
 */
export class LogHub {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly statusListeners = new Set<(change: SessionStatusChange) => void>();

  /** Hears every session's status changes (to forward them as Backstage signals). */
  onStatus(listener: (change: SessionStatusChange) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Announces sessions' statuses, as a write set them (the store reports each, its fan-out's too) or
   * as they are when something else about them changed: to their live viewers and status listeners.
   */
  publishStatus(...changes: SessionStatusChange[]): void {
    for (const change of changes) {
      this.publish(change.id, { type: 'status', status: change.status });
      for (const listener of this.statusListeners) listener(change);
    }
  }

  subscribe(sessionId: string, listener: Listener): () => void {
    let set = this.listeners.get(sessionId);
    if (!set) {
      set = new Set();
      this.listeners.set(sessionId, set);
    }
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(sessionId);
    };
  }

  /** Tells the session's live viewers only: status changes go through {@link LogHub.publishStatus}. */
  publish(sessionId: string, event: SessionEvent): void {
    for (const listener of this.listeners.get(sessionId) ?? []) {
      listener(event);
    }
  }
}
