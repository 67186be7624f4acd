import { useState } from 'react';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { hasEntityRepository } from '@backstage-agents/plugin-agents-common';
import { UsageFilters, type UsageFilterValue } from './UsageFilters';
import { usageQuery } from './usageQuery';
import { UsageView } from './UsageView';

/**
 * The Agent usage tab of an entity page: for a group, the sessions on the entities it owns; for any
 * other entity, its own sessions.
 */
export function EntityUsageContent() {
  const { entity } = useEntity();
  const ref = stringifyEntityRef(entity);
  const [filters, setFilters] = useState<UsageFilterValue>({ days: 30 });
  const scope =
    entity.kind.toLocaleLowerCase('en-US') === 'group'
      ? { ownerRef: ref }
      : { entityRef: ref };
  return (
    <>
      <UsageFilters value={filters} onChange={setFilters} refs={false} />
      <UsageView query={usageQuery({ ...filters, ...scope })} />
    </>
  );
}

/** Whether the usage tab applies: groups (their entities' sessions) and entities agents work on. */
export function isAgentsUsageAvailable(entity: {
  kind: string;
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return (
    entity.kind.toLocaleLowerCase('en-US') === 'group' ||
    hasEntityRepository(entity)
  );
}
