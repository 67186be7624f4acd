import { Table, type TableColumn } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { AgentsUsageStatistics } from '../../api/types';
import { formatTokens } from '../format';
import { formatCost, formatRate } from './usageFormat';

type Row = AgentsUsageStatistics['topEntities'][number];

const columns: TableColumn<Row>[] = [
  {
    title: 'Entity',
    field: 'entityRef',
    render: row => <EntityRefLink entityRef={row.entityRef} />,
  },
  { title: 'Sessions', field: 'sessions', type: 'numeric' },
  {
    title: 'Success rate',
    render: row => formatRate(row.successRate),
    type: 'numeric',
  },
  {
    title: 'Tokens',
    render: row =>
      `${formatTokens(row.usage.inputTokens)} in / ${formatTokens(
        row.usage.outputTokens,
      )} out`,
    type: 'numeric',
  },
  {
    title: 'Cost',
    render: row => formatCost(row.usage.costUsd),
    type: 'numeric',
  },
];

/** The entities with the most sessions in the range. */
export function TopEntitiesTable(props: { rows: Row[] }) {
  return (
    <Table<Row>
      title="Top entities"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.rows}
      emptyContent={<p style={{ padding: 16 }}>No sessions in this range.</p>}
    />
  );
}
