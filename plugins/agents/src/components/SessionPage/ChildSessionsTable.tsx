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
import { runsInWaves, waitingForWave } from '../waves';
import { WaveTables } from './WaveTables';

/**
 * Every session of a fan-out, one row per task in task order, each linking to its own page; grouped
 * by wave, under a header each, when the fan-out runs in waves.
 */
export function ChildSessionsTable(props: {
  items?: AgentsSession[];
  error?: Error;
  loading: boolean;
  /** The fan-out, for its waves: a held task's status says which wave it waits for. */
  fanOut?: Pick<
    AgentsSession,
    'status' | 'integrationBranch' | 'currentWave' | 'waveError'
  >;
}) {
  const { items, error, loading, fanOut } = props;
  // Tasks read best in the order tasks.md gives them, not in the order they were created.
  const rows = useMemo(() => [...(items ?? [])].sort(byTaskId), [items]);
  const waves =
    fanOut && runsInWaves(fanOut) && rows.length > 0 ? fanOut : undefined;

  if (!items && error) {
    return (
      <ResponseErrorPanel
        title="Could not load the sessions of this fan-out"
        error={error}
      />
    );
  }

  const columns = [
    taskColumn(),
    promptColumn({ width: '35%' }),
    statusColumn(
      waves ? { waitingFor: task => waitingForWave(task, waves) } : {},
    ),
    branchColumn(),
    pullRequestColumn(),
    durationColumn(),
  ];

  return (
    <Box>
      <RefreshWarning
        title="Could not refresh the sessions of this fan-out"
        error={error}
      />
      {waves ? (
        <WaveTables fanOut={waves} tasks={rows} columns={columns} />
      ) : (
        <SessionRowsTable
          columns={columns}
          rows={rows}
          isLoading={!items && loading}
          emptyText="This fan-out has no sessions yet."
        />
      )}
    </Box>
  );
}
