import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSession } from '../../api/types';
import { usePoll } from '../usePoll';
import { useSessionSignalReload } from '../useSessionSignalReload';

/** How many recent sessions the card lists. */
export const RECENT_SESSIONS = 5;

export interface AgentsOverview {
  recent: AgentsSession[];
  /** Sessions starting or running now; `runningMore` when there are more than one page holds. */
  running: number;
  runningMore: boolean;
  /** Succeeded over finished sessions of the last 30 days; undefined when none finished. */
  successRate?: number;
  finished30Days: number;
}

export type OverviewState =
  | { state: 'loading'; value?: AgentsOverview }
  | { state: 'loaded'; value: AgentsOverview }
  | { state: 'error'; error: Error; value?: AgentsOverview };

const UNFINISHED = ['pending', 'starting', 'running'];

/**
 * The card's data in three small requests: the last sessions, the running ones (one page of 100, so
 * "100+" at most), and the 30-day statistics. Reloaded on the entity's signals, and every 10 s while
 * one of its sessions is unfinished.
 */
export function useAgentsOverview(entityRef: string): OverviewState {
  const api = useApi(agentsApiRef);
  const [overview, setOverview] = useState<OverviewState>({ state: 'loading' });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);
  useEffect(() => {
    let current = true;
    Promise.all([
      api.listSessions({ entityRef, limit: RECENT_SESSIONS }),
      api.listSessions({ entityRef, status: 'starting,running', limit: 100 }),
      api.getUsageStatistics({ entityRef }),
    ]).then(
      ([recent, running, stats]) => {
        if (!current) return;
        const byStatus = stats.byStatus;
        setOverview({
          state: 'loaded',
          value: {
            recent: recent.items,
            running: running.items.length,
            runningMore: !!running.nextCursor,
            successRate: stats.successRate,
            finished30Days: [
              'succeeded',
              'failed',
              'cancelled',
              'timed_out',
            ].reduce((sum, s) => sum + (byStatus[s] ?? 0), 0),
          },
        });
      },
      error =>
        current &&
        setOverview(previous => ({
          state: 'error',
          error,
          value: previous.value,
        })),
    );
    return () => {
      current = false;
    };
  }, [api, entityRef, generation]);
  useSessionSignalReload({ entityRef }, reload);
  const unfinished = !!overview.value?.recent.some(s =>
    UNFINISHED.includes(s.status),
  );
  usePoll(unfinished || !!overview.value?.running, reload);
  return overview;
}
