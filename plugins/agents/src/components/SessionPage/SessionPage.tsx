import { useCallback, useEffect, useRef } from 'react';
import Typography from '@material-ui/core/Typography';
import {
  Content,
  Header,
  HeaderLabel,
  InfoCard,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  SESSIONS_SIGNAL_CHANNEL,
  isTerminalStatus,
  type SessionStatusSignal,
} from '@backstage-agents/plugin-agents-common';
import type { AgentsSessionStatus } from '../../api/types';
import { rootRouteRef } from '../../routes';
import { firstLine, harnessLabel, shortRef, statusLabel } from '../format';
import { isFanOut } from '../fanOut';
import { usePoll } from '../usePoll';
import { FanOutView } from './FanOutView';
import { RunTimeline } from './RunTimeline';
import { SessionLayout, type SessionViewProps } from './SessionLayout';
import { SessionLog } from './SessionLog';
import { useSession } from './useSession';
import { useSessionLog } from './useSessionLog';

const PULL_REQUEST_POLL_MS = 2_000;
const PULL_REQUEST_WAIT_MS = 120_000;

/** An agent session: its details, its runs and its live log. */
function SessionView(props: SessionViewProps) {
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
    // The backend notes the pull request in the log just after the run's end: read on for it.
    generation: `${session.runs.length} ${session.prUrl ?? ''}`,
    runHeader,
    onStatus,
    onEnd: reload,
  });

  return (
    <SessionLayout
      session={session}
      onChanged={setSession}
      refreshError={refreshError}
      detailsTitle="Session"
      aside={
        <InfoCard title="Runs">
          <RunTimeline runs={session.runs} />
        </InfoCard>
      }
    >
      <InfoCard title="Log">
        <SessionLog
          sessionId={session.id}
          text={log.text}
          lineCount={log.lineCount}
          connection={log.connection}
          error={log.error}
        />
      </InfoCard>
    </SessionLayout>
  );
}

/**
 * One session: its status, entity, branch and PR, its runs, its live log, and Cancel / Resume; for a
 * fan-out, its progress and its task sessions instead of runs and log.
 */
export function SessionPage(props: { sessionId: string }) {
  const { sessionId } = props;
  const { session, error, loading, reload, setSession } = useSession(sessionId);
  const rootLink = useRouteRef(rootRouteRef);

  // Status changes announced by the backend, for this session.
  const { lastSignal } = useSignal<SessionStatusSignal>(
    SESSIONS_SIGNAL_CHANNEL,
  );
  useEffect(() => {
    if (lastSignal?.sessionId === sessionId) reload();
  }, [lastSignal, sessionId, reload]);

  // A fallback while the session runs, should the log stream's status events not arrive.
  const unfinished = session ? !isTerminalStatus(session.status) : false;
  usePoll(unfinished, reload);

  // The backend opens the pull request just after a run that pushed has finished: look for it
  // for a while, should its signal not arrive.
  const lastRun = session?.runs[session.runs.length - 1];
  const awaitingPullRequest =
    !!session &&
    !unfinished &&
    !session.prUrl &&
    lastRun?.result?.pushed === true;
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
    const View = isFanOut(session) ? FanOutView : SessionView;
    body = (
      <View
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
              {session.entityRef}
              {isFanOut(session) ? '' : ` · ${session.workBranch}`}
            </Typography>
          ) : undefined
        }
        type="Agent sessions"
        typeLink={rootLink()}
      >
        {session && (
          <>
            <HeaderLabel label="Status" value={statusLabel(session.status)} />
            {isFanOut(session) && <HeaderLabel label="Kind" value="fan-out" />}
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
