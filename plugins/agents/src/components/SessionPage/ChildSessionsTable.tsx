import { useMemo } from 'react';
import Box from '@material-ui/core/Box';
import { ResponseErrorPanel } from '@backstage/core-components';
import type { AgentsSession } from '../../api/types';
import { byTaskId } from '../fanOut';
import { RefreshWarning } from '../RefreshWarning';
import {
  branchColumn,
  durationColumn,
  promptColumn,
  pullRequestColumn,
  statusColumn,
  taskColumn,
} from '../sessionColumns';
import { SessionRowsTable } from '../SessionRowsTable';

/** Every session of a fan-out, one row per task in task order, each linking to its own page. */
export function ChildSessionsTable(props: {
  items?: AgentsSession[];
  error?: Error;
  loading: boolean;
}) {
  const { items, error, loading } = props;
  // Tasks read best in the order tasks.md gives them, not in the order they were created.
  const rows = useMemo(() => [...(items ?? [])].sort(byTaskId), [items]);

  if (!items && error) {
    return (
      <ResponseErrorPanel
        title="Could not load the sessions of this fan-out"
        error={error}
      />
    );
  }

  return (
    <Box>
      <RefreshWarning
        title="Could not refresh the sessions of this fan-out"
        error={error}
      />
      <SessionRowsTable
        columns={[
          taskColumn(),
          promptColumn({ width: '35%' }),
          statusColumn(),
          branchColumn(),
          pullRequestColumn(),
          durationColumn(),
        ]}
        rows={rows}
        isLoading={!items && loading}
        emptyText="This fan-out has no sessions yet."
      />
    </Box>
  );
}
