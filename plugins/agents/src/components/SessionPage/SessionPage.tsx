import { useCallback, useEffect, useRef, useState } from 'react';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import {
  Content,
  Header,
  HeaderLabel,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  SESSIONS_SIGNAL_CHANNEL,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type {
  AgentsSessionStatus,
  AgentsSessionWithRuns,
} from '../../api/types';
import { rootRouteRef } from '../../routes';
import {
  errorMessage,
  firstLine,
  harnessLabel,
  shortRef,
  statusLabel,
} from '../format';
import { POLL_INTERVAL_MS, SessionsTable } from '../SessionsTable';
import type { SessionSignal } from '../SessionsTable/useSessionList';
import { RunTimeline } from './RunTimeline';
import { SessionActions } from './SessionActions';
import { SessionDetails } from './SessionDetails';
import { SessionLog } from './SessionLog';
import { useSession } from './useSession';
import { useSessionLog } from './useSessionLog';

const PULL_REQUEST_POLL_MS = 2_000;
const PULL_REQUEST_WAIT_MS = 120_000;

/** The children of a fan-out session, when it has any. */
function ChildSessions(props: { sessionId: string }) {
  const api = useApi(agentsApiRef);
  const [hasChildren, setHasChildren] = useState(false);
  useEffect(() => {
    let current = true;
    api.listSessions({ parentSessionId: props.sessionId, limit: 1 }).then(
      page => current && setHasChildren(page.items.length > 0),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [api, props.sessionId]);
  if (!hasChildren) return null;
  return (
    <Grid item xs={12}>
      <InfoCard title="Sessions started by this one">
        <SessionsTable parentSessionId={props.sessionId} hideFilters />
      </InfoCard>
    </Grid>
  );
}

function SessionView(props: {
  session: AgentsSessionWithRuns;
  reload: () => void;
  setSession: (session: AgentsSessionWithRuns) => void;
  refreshError?: Error;
}) {
  const { session, reload, setSession, refreshError } = props;
  const sessionRef = useRef(session);
  sessionRef.current = session;

  const runHeader = useCallback((runId: string) => {
    const run = sessionRef.current.runs.find(r => r.id === runId);
    return run
      ? `Run ${run.attempt} (${
          run.kind === 'initial' ? 'first run' : run.kind
        })`
      : undefined;
  }, []);
  const onStatus = useCallback(
    (status: AgentsSessionStatus) => {
      if (status !== sessionRef.current.status) reload();
    },
    [reload],
  );
  const log = useSessionLog(session.id, {
    generation: session.runs.length,
    runHeader,
    onStatus,
    onEnd: reload,
  });

  return (
    <Grid container spacing={3}>
      {refreshError && (
        <Grid item xs={12}>
          <WarningPanel
            severity="warning"
            title="Could not refresh the session"
            message={errorMessage(refreshError)}
          />
        </Grid>
      )}
      <Grid item xs={12}>
        <SessionActions session={session} onChanged={setSession} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Session">
          <SessionDetails session={session} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title="Runs">
          <RunTimeline runs={session.runs} />
        </InfoCard>
      </Grid>
      <Grid item xs={12}>
        <InfoCard title="Log">
          <SessionLog
            sessionId={session.id}
            text={log.text}
            lineCount={log.lineCount}
            connection={log.connection}
            error={log.error}
          />
        </InfoCard>
      </Grid>
      <ChildSessions sessionId={session.id} />
    </Grid>
  );
}

/** One session: its status, entity, branch and PR, its runs, its live log, and Cancel / Resume. */
export function SessionPage(props: { sessionId: string }) {
  const { sessionId } = props;
  const { session, error, loading, reload, setSession } = useSession(sessionId);
  const rootLink = useRouteRef(rootRouteRef);

  // Status changes announced by the backend, for this session.
  const { lastSignal } = useSignal<SessionSignal>(SESSIONS_SIGNAL_CHANNEL);
  useEffect(() => {
    if (lastSignal?.sessionId === sessionId) reload();
  }, [lastSignal, sessionId, reload]);

  // A fallback while the session runs, should the log stream's status events not arrive.
  const unfinished = session ? !isTerminalStatus(session.status) : false;
  useEffect(() => {
    if (!unfinished) return undefined;
    const timer = setInterval(reload, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [unfinished, reload]);

  // The backend opens the pull request just after a run that pushed has finished: look for it
  // for a while, should its signal not arrive.
  const lastRun = session?.runs[session.runs.length - 1];
  const awaitingPullRequest =
    !!session && !unfinished && !session.prUrl && lastRun?.result?.pushed === true;
  useEffect(() => {
    if (!awaitingPullRequest) return undefined;
    const timer = setInterval(reload, PULL_REQUEST_POLL_MS);
    const giveUp = setTimeout(() => clearInterval(timer), PULL_REQUEST_WAIT_MS);
    return () => {
      clearInterval(timer);
      clearTimeout(giveUp);
    };
  }, [awaitingPullRequest, reload]);

  let body;
  if (session) {
    body = (
      <SessionView
        session={session}
        reload={reload}
        setSession={setSession}
        refreshError={error}
      />
    );
  } else if (error) {
    body = (
      <ResponseErrorPanel
        title="Could not load the agent session"
        error={error}
      />
    );
  } else if (loading) {
    body = <Progress />;
  }

  return (
    <Page themeId="tool">
      <Header
        title={
          session
            ? firstLine(session.prompt, 90) || 'Agent session'
            : 'Agent session'
        }
        pageTitleOverride={
          session
            ? `Agent session: ${firstLine(session.prompt, 60)}`
            : 'Agent session'
        }
        subtitle={
          session ? (
            <Typography variant="subtitle2" component="span">
              {session.entityRef} · {session.workBranch}
            </Typography>
          ) : undefined
        }
        type="Agent sessions"
        typeLink={rootLink()}
      >
        {session && (
          <>
            <HeaderLabel label="Status" value={statusLabel(session.status)} />
            <HeaderLabel
              label="Harness"
              value={harnessLabel(session.harness)}
            />
            <HeaderLabel
              label="Started by"
              value={shortRef(session.createdBy)}
            />
          </>
        )}
      </Header>
      <Content>{body}</Content>
    </Page>
  );
}
