import type { ReactNode } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { AgentsSessionWithRuns } from '../../api/types';
import { DefinitionList } from '../DefinitionList';
import { isFanOut } from '../fanOut';
import {
  describeUsage,
  durationOf,
  formatBytes,
  formatRelative,
  formatTimestamp,
  formatUsage,
  harnessLabel,
  repoWebUrl,
  shortRef,
} from '../format';
import { PullRequestLink } from '../PullRequestLink';
import { SessionStatusChip } from '../SessionStatusChip';
import { ParentSessionLink } from './ParentSessionLink';

const useStyles = makeStyles({
  code: { fontFamily: 'monospace', fontSize: '0.9em' },
});

/** What the session is about and where it stands: entity, repository, branch, PR, timing, bundle. */
export function SessionDetails(props: { session: AgentsSessionWithRuns }) {
  const { session } = props;
  const classes = useStyles();
  const repoUrl = repoWebUrl(session.repoUrl);

  const fanOut = isFanOut(session);

  const rows: [string, ReactNode][] = [
    ['Status', <SessionStatusChip status={session.status} />],
  ];
  if (session.parentSessionId) {
    rows.push([
      'Part of',
      <span data-testid="part-of">
        fan-out <ParentSessionLink parentSessionId={session.parentSessionId} />
      </span>,
    ]);
  }
  if (session.origin.taskId) {
    rows.push([
      'Task',
      <span className={classes.code}>{session.origin.taskId}</span>,
    ]);
  }
  if (session.wave !== undefined) rows.push(['Wave', String(session.wave)]);
  rows.push(
    ['Entity', <EntityRefLink entityRef={session.entityRef} />],
    [
      'Repository',
      repoUrl ? (
        <Link to={repoUrl}>{repoUrl}</Link>
      ) : (
        <span className={classes.code}>{session.repoUrl}</span>
      ),
    ],
  );
  // A fan-out pushes nothing itself: its tasks' branches are in the task table.
  if (!fanOut) {
    rows.push([
      'Branch',
      <span className={classes.code}>
        {session.workBranch}
        {session.baseBranch
          ? ` (from ${session.baseBranch})`
          : ' (from the default branch)'}
      </span>,
    ]);
  } else {
    rows.push([
      'Base branch',
      <span className={classes.code}>
        {session.baseBranch ?? 'the default branch'}
      </span>,
    ]);
    // Its tasks start from the integration branch, and their waves are merged into it.
    if (session.integrationBranch) {
      rows.push([
        'Integration branch',
        <span className={classes.code} data-testid="integration-branch">
          {session.integrationBranch}
        </span>,
      ]);
    }
  }
  // A fan-out pushes nothing itself: its pull requests are its tasks'.
  if (session.prUrl || !fanOut) {
    rows.push([
      'Pull request',
      session.prUrl ? (
        <PullRequestLink url={session.prUrl} state={session.prState} />
      ) : (
        <Typography variant="body2" color="textSecondary" component="span">
          none yet
        </Typography>
      ),
    ]);
  }
  rows.push(
    ['Harness', harnessLabel(session.harness)],
    ['Policy', session.policy.name],
    ['Started by', shortRef(session.createdBy)],
    [
      'Origin',
      session.origin.templateRef
        ? `${session.origin.kind} (${session.origin.templateRef})`
        : session.origin.kind,
    ],
    [
      'Created',
      <Tooltip title={formatTimestamp(session.createdAt)}>
        <span>{formatRelative(session.createdAt)}</span>
      </Tooltip>,
    ],
  );
  if (session.finishedAt) {
    rows.push([
      'Finished',
      <Tooltip title={formatTimestamp(session.finishedAt)}>
        <span>{formatRelative(session.finishedAt)}</span>
      </Tooltip>,
    ]);
  }
  if (session.startedAt) rows.push(['Duration', durationOf(session)]);
  if (session.usage) {
    // A fan-out's usage is its tasks' together.
    rows.push([
      fanOut ? 'Usage (all tasks)' : 'Usage',
      <Tooltip title={describeUsage(session.usage)}>
        <span data-testid="session-usage">{formatUsage(session.usage)}</span>
      </Tooltip>,
    ]);
  }
  if (session.headCommit) {
    rows.push([
      'Head commit',
      <span className={classes.code} title={session.headCommit}>
        {session.headCommit.slice(0, 12)}
      </span>,
    ]);
  }
  if (session.bundle) {
    rows.push([
      'Saved state',
      <Tooltip
        title={`${session.bundle.digest} · ${formatTimestamp(
          session.bundle.createdAt,
        )}`}
      >
        <span data-testid="bundle">
          {formatBytes(session.bundle.sizeBytes)}, saved{' '}
          {formatRelative(session.bundle.createdAt)}
        </span>
      </Tooltip>,
    ]);
  }
  if (session.issueUrl) {
    rows.push(['Issue', <Link to={session.issueUrl}>{session.issueUrl}</Link>]);
  }
  if (session.summary) rows.push(['Summary', session.summary]);

  return <DefinitionList rows={rows} />;
}
