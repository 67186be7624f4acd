import type { SignalApi } from '@backstage/plugin-signals-react';
import type { JsonObject } from '@backstage/types';
import {
  SESSIONS_SIGNAL_CHANNEL,
  type SessionStatusSignal,
} from '@backstage-agents/plugin-agents-common';

/** A signal API the test publishes on. */
export class FakeSignalApi implements SignalApi {
  private readonly subscribers = new Map<
    string,
    Set<(message: JsonObject) => void>
  >();

  subscribe<T extends JsonObject = JsonObject>(
    channel: string,
    onMessage: (message: T) => void,
  ) {
    const set = this.subscribers.get(channel) ?? new Set();
    set.add(onMessage as (message: JsonObject) => void);
    this.subscribers.set(channel, set);
    return {
      unsubscribe: () => set.delete(onMessage as (message: JsonObject) => void),
    };
  }

  publish(channel: string, message: JsonObject) {
    this.subscribers.get(channel)?.forEach(fn => fn(message));
  }

  /** Announces a session's status change, as the agents backend does. */
  announce(message: SessionStatusSignal) {
    this.publish(SESSIONS_SIGNAL_CHANNEL, message);
  }
}
