import { useEffect, useRef } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import { SESSIONS_SIGNAL_CHANNEL } from '@backstage-agents/plugin-agents-common';
import type { AgentsSessionStatus } from '../api/types';

/** What the backend publishes on the sessions channel (`entityRef` when it names the entity). */
export type SessionSignal = {
  sessionId?: string;
  entityRef?: string;
  status?: AgentsSessionStatus;
};

/** Signals arriving in a burst (a fan-out starting) cause one reload per this interval at most. */
export const SIGNAL_RELOAD_INTERVAL_MS = 2_000;

/**
 * Calls `reload` when the backend announces a status change of a session that may concern this view:
 * any message, except one naming an entity other than `entityRef`. A burst of messages causes one
 * reload at once and at most one more per {@link SIGNAL_RELOAD_INTERVAL_MS}.
 */
export function useSessionSignalReload(
  entityRef: string | undefined,
  reload: () => void,
) {
  const { lastSignal } = useSignal<SessionSignal>(SESSIONS_SIGNAL_CHANNEL);
  const lastReload = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (!lastSignal) return;
    if (entityRef && lastSignal.entityRef && lastSignal.entityRef !== entityRef)
      return;
    if (pending.current) return;
    const wait = lastReload.current + SIGNAL_RELOAD_INTERVAL_MS - Date.now();
    const run = () => {
      pending.current = undefined;
      lastReload.current = Date.now();
      reload();
    };
    if (wait <= 0) run();
    else pending.current = setTimeout(run, wait);
  }, [lastSignal, entityRef, reload]);
  useEffect(() => () => clearTimeout(pending.current), []);
}
