import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../../api/AgentsApi';
import type {
  AgentsUsageStatistics,
  AgentsUsageStatisticsQuery,
} from '../../api/types';

export type UsageState =
  | { state: 'loading'; value?: AgentsUsageStatistics }
  | { state: 'loaded'; value: AgentsUsageStatistics }
  | { state: 'error'; error: Error; value?: AgentsUsageStatistics };

/** Loads the statistics for `query`, again whenever it changes; the last answer stays while loading. */
export function useUsageStatistics(
  query: AgentsUsageStatisticsQuery,
): UsageState {
  const api = useApi(agentsApiRef);
  const [usage, setUsage] = useState<UsageState>({ state: 'loading' });
  // One key per distinct query, so that a new object with the same filters loads nothing.
  const key = JSON.stringify(query);
  useEffect(() => {
    let current = true;
    setUsage(previous => ({ state: 'loading', value: previous.value }));
    api.getUsageStatistics(JSON.parse(key)).then(
      value => current && setUsage({ state: 'loaded', value }),
      error =>
        current &&
        setUsage(previous => ({
          state: 'error',
          error,
          value: previous.value,
        })),
    );
    return () => {
      current = false;
    };
  }, [api, key]);
  return usage;
}
