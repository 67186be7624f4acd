import type { ReactNode } from 'react';
import { makeStyles } from '@material-ui/core/styles';
import { Link, type TableColumn } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { AgentsSession } from '../api/types';
import { sessionRouteRef } from '../routes';
import { durationOf, firstLine } from './format';
import { PullRequestLink } from './PullRequestLink';
import { SessionStatusChip } from './SessionStatusChip';
import { waitingForWaveLabel } from './waves';

// The columns the sessions table and a fan-out's task table both show, so that a session reads the
// same in either. Each builder returns a new object, as the table may keep its own state on a column.

const useStyles = makeStyles({
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85em',
    overflowWrap: 'anywhere',
  },
});

/** A branch name or task id: monospace, and free to break anywhere as it has no spaces. */
function Code(props: { children?: ReactNode; testId?: string }) {
  const classes = useStyles();
  return (
    <span className={classes.code} data-testid={props.testId}>
      {props.children}
    </span>
  );
}

/** The prompt's first line, linking to the session's page; the whole prompt on hover. */
function SessionPromptLink(props: { session: AgentsSession }) {
  const { session } = props;
  const sessionLink = useRouteRef(sessionRouteRef);
  return (
    <Link to={sessionLink({ sessionId: session.id })} title={session.prompt}>
      {firstLine(session.prompt) || '(empty prompt)'}
    </Link>
  );
}

/** A column of a fixed width whose cells stay on one line, for short values such as a status. */
function narrowColumn(
  width: string,
  column: TableColumn<AgentsSession>,
): TableColumn<AgentsSession> {
  return { ...column, width, cellStyle: { whiteSpace: 'nowrap' } };
}

export function statusColumn(
  options: {
    /** The wave a task held back by its fan-out waits for, which its status then says. */
    waitingFor?: (session: AgentsSession) => number | undefined;
  } = {},
): TableColumn<AgentsSession> {
  const { waitingFor } = options;
  return narrowColumn('120px', {
    title: 'Status',
    field: 'status',
    render: s => {
      const wave = waitingFor?.(s);
      return (
        <SessionStatusChip
          status={s.status}
          label={wave === undefined ? undefined : waitingForWaveLabel(wave)}
        />
      );
    },
  });
}

export function promptColumn(options: {
  width: string;
  /** Shown under the link, e.g. what ties the session to a fan-out. */
  below?: (session: AgentsSession) => ReactNode;
}): TableColumn<AgentsSession> {
  const { width, below } = options;
  return {
    title: 'Prompt',
    field: 'prompt',
    width,
    cellStyle: { minWidth: 200 },
    render: s => (
      <>
        <SessionPromptLink session={s} />
        {below?.(s)}
      </>
    ),
  };
}

/** A fan-out's task id (`T012`), for the sessions of one fan-out. */
export function taskColumn(): TableColumn<AgentsSession> {
  return narrowColumn('90px', {
    title: 'Task',
    field: 'origin.taskId',
    render: s => <Code testId="child-task">{s.origin.taskId ?? '—'}</Code>,
  });
}

export function branchColumn(): TableColumn<AgentsSession> {
  return {
    title: 'Branch',
    field: 'workBranch',
    render: s => <Code>{s.workBranch}</Code>,
  };
}

export function pullRequestColumn(): TableColumn<AgentsSession> {
  return {
    title: 'Pull request',
    field: 'prUrl',
    cellStyle: { whiteSpace: 'nowrap' },
    render: s => <PullRequestLink url={s.prUrl} state={s.prState} />,
  };
}

/** How long the session has run; empty while it is queued (its time in the queue is not run time). */
export function durationColumn(): TableColumn<AgentsSession> {
  return {
    title: 'Took',
    field: 'startedAt',
    cellStyle: { whiteSpace: 'nowrap' },
    render: s => (s.startedAt ? durationOf(s) : ''),
  };
}
