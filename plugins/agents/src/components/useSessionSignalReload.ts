import { useEffect, useRef } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  SESSIONS_SIGNAL_CHANNEL,
  type SessionStatusSignal,
} from '@backstage-agents/plugin-agents-common';

/** Signals arriving in a burst (a fan-out starting) cause one reload per this interval at most. */
export const SIGNAL_RELOAD_INTERVAL_MS = 2_000;

/**
 * The sessions a view shows: an entity's (its Agents tab), a fan-out's tasks (the fan-out's page), or,
 * with neither, every session (the `/agents` page).
 */
export type SessionSignalScope = {
  entityRef?: string;
  parentSessionId?: string;
};

function concerns(signal: SessionStatusSignal, scope: SessionSignalScope) {
  if (scope.parentSessionId) {
    return signal.parentSessionId === scope.parentSessionId;
  }
  if (scope.entityRef) return signal.entityRef === scope.entityRef;
  return true;
}

/**
 * Calls `reload` when the backend announces a status change of a session the view shows: every open
 * tab hears every change in the installation, so the others are ignored. A burst of messages causes
 * one reload at once and at most one more per {@link SIGNAL_RELOAD_INTERVAL_MS}.
 */
export function useSessionSignalReload(
  scope: SessionSignalScope,
  reload: () => void,
) {
  const { entityRef, parentSessionId } = scope;
  const { lastSignal } = useSignal<SessionStatusSignal>(
    SESSIONS_SIGNAL_CHANNEL,
  );
  const lastReload = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (!lastSignal || !concerns(lastSignal, { entityRef, parentSessionId })) {
      return;
    }
    if (pending.current) return;
    const wait = lastReload.current + SIGNAL_RELOAD_INTERVAL_MS - Date.now();
    const run = () => {
      pending.current = undefined;
      lastReload.current = Date.now();
      reload();
    };
    if (wait <= 0) run();
    else pending.current = setTimeout(run, wait);
  }, [lastSignal, entityRef, parentSessionId, reload]);
  useEffect(() => () => clearTimeout(pending.current), []);
}
