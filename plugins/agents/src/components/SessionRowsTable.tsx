import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { Table, type TableColumn } from '@backstage/core-components';
import type { AgentsSession } from '../api/types';

/**
 * The bare table under the sessions table and a fan-out's task table: one dense row a session, with
 * none of the table's own toolbar, search, paging or sorting (the lists page and filter themselves).
 */
export function SessionRowsTable(props: {
  columns: TableColumn<AgentsSession>[];
  rows: AgentsSession[];
  isLoading: boolean;
  /** Shown instead of the rows when there are none. */
  emptyText: string;
}) {
  const { columns, rows, isLoading, emptyText } = props;
  return (
    <Table<AgentsSession>
      columns={columns}
      data={rows}
      isLoading={isLoading}
      options={{
        paging: false,
        search: false,
        toolbar: false,
        sorting: false,
        draggable: false,
        padding: 'dense',
      }}
      emptyContent={
        <Box p={2}>
          <Typography color="textSecondary">{emptyText}</Typography>
        </Box>
      }
    />
  );
}
