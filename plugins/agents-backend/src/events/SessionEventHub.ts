import type { LogLine } from '@backstage-agents/plugin-agents-common';
import type { SessionStatusChange } from '../database/sessionChanges';

/**
 * What happens to a session, as the backend announces it:
 * - `lines`: new log lines, persisted before they are announced;
 * - `status`: a write set the session's status (a task's write may set its fan-out's too);
 * - `updated`: something else a view shows changed (its pull request), the status staying.
 */
export type SessionEvent =
  | { type: 'lines'; sessionId: string; lines: LogLine[] }
  | { type: 'status'; session: SessionStatusChange }
  | { type: 'updated'; session: SessionStatusChange };

export type SessionEventType = SessionEvent['type'];
type EventOf<T extends SessionEventType> = Extract<SessionEvent, { type: T }>;
type Listener<E = SessionEvent> = (event: E) => void;

/**
 * The one place session events are published, in process: live log viewers subscribe to one
 * session, the signal forwarder and the pull-request sync to a type of event of every session.
 * A viewer that misses an event (or listens on another replica) catches up from the database by
 * seq, so nothing here is durable. Listeners must not throw: they run on the publisher's path.
 */
export class SessionEventHub {
  private readonly bySession = new Map<string, Set<Listener>>();
  private readonly byType = new Map<SessionEventType, Set<Listener>>();

  /** Hears every event of one session. */
  subscribe(sessionId: string, listener: Listener): () => void {
    return add(this.bySession, sessionId, listener);
  }

  /** Hears one type of event, of every session. */
  on<T extends SessionEventType>(type: T, listener: Listener<EventOf<T>>): () => void {
    return add(this.byType, type, listener as Listener);
  }

  publish(event: SessionEvent): void {
    const sessionId = event.type === 'lines' ? event.sessionId : event.session.id;
    for (const listener of this.bySession.get(sessionId) ?? []) listener(event);
    for (const listener of this.byType.get(event.type) ?? []) listener(event);
  }

  /** Publishes every status a write set, in the order the write reported them. */
  publishStatus(...changes: SessionStatusChange[]): void {
    for (const session of changes) this.publish({ type: 'status', session });
  }
}

function add<K>(map: Map<K, Set<Listener>>, key: K, listener: Listener): () => void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(listener);
  return () => {
    set!.delete(listener);
    if (set!.size === 0) map.delete(key);
  };
}
