import { useState } from 'react';
import { Content, Header, Page } from '@backstage/core-components';
import { UsageFilters, type UsageFilterValue } from './UsageFilters';
import { usageQuery } from './usageQuery';
import { UsageView } from './UsageView';

/** `/agents/usage`: the statistics of every session the user may read, by owner, entity, range and harness. */
export function UsagePage() {
  const [filters, setFilters] = useState<UsageFilterValue>({ days: 30 });
  return (
    <Page themeId="tool">
      <Header
        title="Agent usage"
        subtitle="How coding agents are used, how often they succeed, and what they cost"
      />
      <Content>
        <UsageFilters value={filters} onChange={setFilters} />
        <UsageView query={usageQuery(filters)} />
      </Content>
    </Page>
  );
}
