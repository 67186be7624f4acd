import { useEffect } from 'react';

/** How often a view with unfinished sessions is reloaded, in case signals or stream events do not arrive. */
export const POLL_INTERVAL_MS = 10_000;

/** Calls `reload` every `intervalMs` while `active`. */
export function usePoll(
  active: boolean,
  reload: () => void,
  intervalMs = POLL_INTERVAL_MS,
) {
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(reload, intervalMs);
    return () => clearInterval(timer);
  }, [active, reload, intervalMs]);
}
