import { type ReactNode, useMemo } from 'react';
import Box from '@material-ui/core/Box';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  ResponseErrorPanel,
  type TableColumn,
} from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  SESSION_LIMITS,
  SESSION_STATUSES,
} from '@backstage-agents/plugin-agents-common';
import type { AgentsSession } from '../../api/types';
import {
  durationOf,
  formatRelative,
  formatTimestamp,
  harnessShortLabel,
  userName,
  statusLabel,
} from '../format';
import { RefreshWarning } from '../RefreshWarning';
import {
  branchColumn,
  promptColumn,
  pullRequestColumn,
  statusColumn,
} from '../sessionColumns';
import { SessionRowsTable } from '../SessionRowsTable';
import { waitingForWave } from '../waves';
import { wrappingRow } from '../wrappingRow';
import { FanOutLabel } from './FanOutLabel';
import { Pager } from './Pager';
import {
  ACTIVE_STATUSES,
  type StatusFilter,
  useSessionList,
} from './useSessionList';

const useStyles = makeStyles(theme => ({
  toolbar: {
    ...wrappingRow(theme, 2),
    marginBottom: theme.spacing(1),
  },
  spacer: { flex: 1 },
  statusSelect: { minWidth: 180 },
  progress: { height: 2 },
}));

const STATUS_OPTIONS: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All statuses' },
  {
    value: 'active',
    label: `Unfinished (${ACTIVE_STATUSES.map(statusLabel).join(', ')})`,
  },
  ...SESSION_STATUSES.map(s => ({
    value: s as StatusFilter,
    label: statusLabel(s),
  })),
];

export type SessionsTableProps = {
  /** Only this entity's sessions; every session the user may see when absent. */
  entityRef?: string;
  title?: ReactNode;
  /** Shown at the end of the toolbar, e.g. the "New session" button. */
  action?: ReactNode;
  /** Shown instead of the table when there is no session at all (no filter set). */
  emptyState?: ReactNode;
  /** Hide the status and "mine" filters. */
  hideFilters?: boolean;
  pageSize?: number;
};

/** Sessions newest first, paginated server-side, with filters; updates live. */
export function SessionsTable(props: SessionsTableProps) {
  const classes = useStyles();
  const list = useSessionList({
    entityRef: props.entityRef,
    pageSize: props.pageSize ?? SESSION_LIMITS.defaultPageSize,
  });
  const { page, error, loading } = list;
  const filtered = list.status !== 'all' || list.mine;
  const byId = useMemo(
    () => new Map((page?.items ?? []).map(s => [s.id, s])),
    [page],
  );

  if (!page && error) {
    return (
      <ResponseErrorPanel
        title="Could not load the agent sessions"
        error={error}
      />
    );
  }

  const parentOf = (s: AgentsSession) =>
    s.parentSessionId ? byId.get(s.parentSessionId) : undefined;
  const columns: TableColumn<AgentsSession>[] = [
    // A task held back by its fan-out says so when the fan-out is on the page too.
    statusColumn({ waitingFor: s => waitingForWave(s, parentOf(s)) }),
    promptColumn({
      width: '30%',
      below: s => <FanOutLabel session={s} parent={parentOf(s)} />,
    }),
    ...(props.entityRef
      ? []
      : [
          {
            title: 'Entity',
            field: 'entityRef',
            render: (s: AgentsSession) => (
              <EntityRefLink entityRef={s.entityRef} />
            ),
          } as TableColumn<AgentsSession>,
        ]),
    {
      title: 'Harness',
      field: 'harness',
      render: s => harnessShortLabel(s.harness),
    },
    branchColumn(),
    pullRequestColumn(),
    {
      title: 'Started by',
      field: 'createdBy',
      render: s => <span title={s.createdBy}>{userName(s.createdBy)}</span>,
    },
    {
      title: 'When',
      field: 'createdAt',
      render: s => (
        <>
          <Tooltip title={formatTimestamp(s.createdAt)}>
            <span style={{ whiteSpace: 'nowrap' }}>
              {formatRelative(s.createdAt)}
            </span>
          </Tooltip>
          <Typography variant="caption" color="textSecondary" component="div">
            {s.startedAt ? `took ${durationOf(s)}` : ''}
          </Typography>
        </>
      ),
    },
  ];

  const items = page?.items ?? [];
  if (
    page &&
    items.length === 0 &&
    !filtered &&
    !list.hasPreviousPage &&
    props.emptyState
  ) {
    return <>{props.emptyState}</>;
  }

  return (
    <Box>
      <div className={classes.toolbar}>
        {props.title}
        {!props.hideFilters && (
          <>
            <TextField
              select
              size="small"
              variant="outlined"
              label="Status"
              className={classes.statusSelect}
              value={list.status}
              onChange={e => list.setStatus(e.target.value as StatusFilter)}
            >
              {STATUS_OPTIONS.map(o => (
                <MenuItem key={o.value} value={o.value}>
                  {o.label}
                </MenuItem>
              ))}
            </TextField>
            <FormControlLabel
              control={
                <Switch
                  color="primary"
                  checked={list.mine}
                  onChange={e => list.setMine(e.target.checked)}
                />
              }
              label="Only mine"
            />
          </>
        )}
        <span className={classes.spacer} />
        {props.action}
      </div>
      <RefreshWarning title="Could not refresh the sessions" error={error} />
      <div className={classes.progress}>
        {loading && page && <LinearProgress />}
      </div>
      <SessionRowsTable
        columns={columns}
        rows={items}
        isLoading={!page && loading}
        emptyText={
          filtered
            ? 'No sessions match these filters.'
            : 'No sessions on this page.'
        }
      />
      {(list.hasPreviousPage || list.hasNextPage) && (
        <Pager
          pageNumber={list.pageNumber}
          hasPreviousPage={list.hasPreviousPage}
          hasNextPage={list.hasNextPage}
          loading={loading}
          onPreviousPage={list.previousPage}
          onNextPage={list.nextPage}
        />
      )}
    </Box>
  );
}
