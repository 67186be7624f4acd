import type { ReactNode } from 'react';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type { AgentsSessionWithRuns } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import {
  durationOf,
  formatBytes,
  formatRelative,
  formatTimestamp,
  harnessLabel,
  repoWebUrl,
  shortRef,
} from '../format';
import { PullRequestLink } from '../PullRequestLink';
import { SessionStatusChip } from '../SessionStatusChip';

const useStyles = makeStyles(theme => ({
  list: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: theme.spacing(2),
    rowGap: theme.spacing(1),
    margin: 0,
    alignItems: 'baseline',
  },
  term: { color: theme.palette.text.secondary },
  value: { margin: 0, overflowWrap: 'anywhere' },
  code: { fontFamily: 'monospace', fontSize: '0.9em' },
}));

/** What the session is about and where it stands: entity, repository, branch, PR, timing, bundle. */
export function SessionDetails(props: { session: AgentsSessionWithRuns }) {
  const { session } = props;
  const classes = useStyles();
  const sessionLink = useRouteRef(sessionRouteRef);
  const repoUrl = repoWebUrl(session.repoUrl);

  const rows: [string, ReactNode][] = [
    ['Status', <SessionStatusChip status={session.status} />],
    ['Entity', <EntityRefLink entityRef={session.entityRef} />],
    [
      'Repository',
      repoUrl ? (
        <Link to={repoUrl}>{repoUrl}</Link>
      ) : (
        <span className={classes.code}>{session.repoUrl}</span>
      ),
    ],
    [
      'Branch',
      <span className={classes.code}>
        {session.workBranch}
        {session.baseBranch
          ? ` (from ${session.baseBranch})`
          : ' (from the default branch)'}
      </span>,
    ],
    [
      'Pull request',
      session.prUrl ? (
        <PullRequestLink url={session.prUrl} state={session.prState} />
      ) : (
        <Typography variant="body2" color="textSecondary" component="span">
          none yet
        </Typography>
      ),
    ],
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
  ];
  if (session.finishedAt) {
    rows.push([
      'Finished',
      <Tooltip title={formatTimestamp(session.finishedAt)}>
        <span>{formatRelative(session.finishedAt)}</span>
      </Tooltip>,
    ]);
  }
  if (session.startedAt) rows.push(['Duration', durationOf(session)]);
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
  if (session.parentSessionId) {
    rows.push([
      'Part of',
      <Link to={sessionLink({ sessionId: session.parentSessionId })}>
        the parent session
      </Link>,
    ]);
  }
  if (session.summary) rows.push(['Summary', session.summary]);

  return (
    <dl className={classes.list}>
      {rows.map(([term, value]) => (
        <div key={term} style={{ display: 'contents' }}>
          <dt className={classes.term}>{term}</dt>
          <dd className={classes.value}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
