import type { AgentsUsageStatisticsQuery } from '../../api/types';
import type { UsageFilterValue } from './UsageFilters';
import { rangeStart } from './usageFormat';

/** The API query of the filters: the range as its first day, the rest as given. */
export function usageQuery(
  filters: UsageFilterValue,
): AgentsUsageStatisticsQuery {
  return {
    from: rangeStart(filters.days),
    ...(filters.ownerRef ? { ownerRef: filters.ownerRef } : {}),
    ...(filters.entityRef ? { entityRef: filters.entityRef } : {}),
    ...(filters.harness ? { harness: filters.harness } : {}),
  };
}
