import { useMemo } from 'react';
import type { TableColumn } from '@backstage/core-components';
import type { AgentsSession } from '../../api/types';
import { SessionRowsTable } from '../SessionRowsTable';
import { groupByWave } from '../waves';
import { WaveHeader } from './WaveHeader';

/** The tasks of a fan-out that runs in waves: a header and a table for each wave, lowest first. */
export function WaveTables(props: {
  fanOut: Pick<
    AgentsSession,
    'status' | 'integrationBranch' | 'currentWave' | 'waveError'
  >;
  tasks: AgentsSession[];
  columns: TableColumn<AgentsSession>[];
}) {
  const { fanOut, tasks, columns } = props;
  const { status, integrationBranch, currentWave, waveError } = fanOut;
  const groups = useMemo(
    () =>
      groupByWave({ status, integrationBranch, currentWave, waveError }, tasks),
    [status, integrationBranch, currentWave, waveError, tasks],
  );
  return (
    <>
      {groups.map(group => (
        <section
          key={group.wave ?? 'none'}
          data-testid="wave"
          data-wave={group.wave}
        >
          <WaveHeader group={group} />
          <SessionRowsTable
            columns={columns}
            rows={group.tasks}
            isLoading={false}
            emptyText="This wave has no sessions."
          />
        </section>
      ))}
    </>
  );
}
