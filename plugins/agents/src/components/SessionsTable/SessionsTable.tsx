import { type ReactNode } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import LinearProgress from '@material-ui/core/LinearProgress';
import MenuItem from '@material-ui/core/MenuItem';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import NavigateBeforeIcon from '@material-ui/icons/NavigateBefore';
import NavigateNextIcon from '@material-ui/icons/NavigateNext';
import {
  Link,
  ResponseErrorPanel,
  Table,
  type TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { SESSION_LIMITS } from '@backstage-agents/plugin-agents-common';
import type { AgentsSession } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import {
  durationOf,
  errorMessage,
  firstLine,
  formatRelative,
  formatTimestamp,
  harnessShortLabel,
  userName,
  statusLabel,
} from '../format';
import { PullRequestLink } from '../PullRequestLink';
import { SessionStatusChip } from '../SessionStatusChip';
import {
  ACTIVE_STATUSES,
  type StatusFilter,
  useSessionList,
} from './useSessionList';

const useStyles = makeStyles(theme => ({
  toolbar: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(1),
  },
  spacer: { flex: 1 },
  statusSelect: { minWidth: 180 },
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  branch: {
    fontFamily: 'monospace',
    fontSize: '0.85em',
    overflowWrap: 'anywhere',
  },
  progress: { height: 2 },
}));

const STATUS_OPTIONS: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All statuses' },
  {
    value: 'active',
    label: `Unfinished (${ACTIVE_STATUSES.map(statusLabel).join(', ')})`,
  },
  ...(
    [
      'pending',
      'starting',
      'running',
      'succeeded',
      'failed',
      'cancelled',
      'timed_out',
    ] as const
  ).map(s => ({ value: s as StatusFilter, label: statusLabel(s) })),
];

export type SessionsTableProps = {
  /** Only this entity's sessions; every session the user may see when absent. */
  entityRef?: string;
  /** Only the children of this fan-out session. */
  parentSessionId?: string;
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
  const sessionLink = useRouteRef(sessionRouteRef);
  const list = useSessionList({
    entityRef: props.entityRef,
    parentSessionId: props.parentSessionId,
    pageSize: props.pageSize ?? SESSION_LIMITS.defaultPageSize,
  });
  const { page, error, loading } = list;
  const filtered = list.status !== 'all' || list.mine;

  if (!page && error) {
    return (
      <ResponseErrorPanel
        title="Could not load the agent sessions"
        error={error}
      />
    );
  }

  const columns: TableColumn<AgentsSession>[] = [
    {
      title: 'Status',
      field: 'status',
      width: '120px',
      cellStyle: { whiteSpace: 'nowrap' },
      render: s => <SessionStatusChip status={s.status} />,
    },
    {
      title: 'Prompt',
      field: 'prompt',
      width: '30%',
      cellStyle: { minWidth: 200 },
      render: s => (
        <Link to={sessionLink({ sessionId: s.id })} title={s.prompt}>
          {firstLine(s.prompt) || '(empty prompt)'}
        </Link>
      ),
    },
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
    {
      title: 'Branch',
      field: 'workBranch',
      render: s => <span className={classes.branch}>{s.workBranch}</span>,
    },
    {
      title: 'Pull request',
      field: 'prUrl',
      cellStyle: { whiteSpace: 'nowrap' },
      render: s => <PullRequestLink url={s.prUrl} state={s.prState} />,
    },
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
      {error && (
        <WarningPanel
          severity="warning"
          title="Could not refresh the sessions"
          message={errorMessage(error)}
        />
      )}
      <div className={classes.progress}>
        {loading && page && <LinearProgress />}
      </div>
      <Table<AgentsSession>
        columns={columns}
        data={items}
        isLoading={!page && loading}
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
            <Typography color="textSecondary">
              {filtered
                ? 'No sessions match these filters.'
                : 'No sessions on this page.'}
            </Typography>
          </Box>
        }
      />
      {(list.hasPreviousPage || list.hasNextPage) && (
        <div className={classes.pager}>
          <Typography variant="body2" color="textSecondary">
            Page {list.pageNumber}
          </Typography>
          <Button
            size="small"
            startIcon={<NavigateBeforeIcon />}
            disabled={!list.hasPreviousPage || loading}
            onClick={list.previousPage}
          >
            Previous page
          </Button>
          <Button
            size="small"
            endIcon={<NavigateNextIcon />}
            disabled={!list.hasNextPage || loading}
            onClick={list.nextPage}
          >
            Next page
          </Button>
        </div>
      )}
    </Box>
  );
}
