import { useCallback, useEffect, useRef } from 'react';
import { InfoCard } from '@backstage/core-components';
import type { AgentsSessionWithRuns } from '../../api/types';
import { fanOutProgress, taskCount } from '../fanOut';
import { useSessionSignalReload } from '../useSessionSignalReload';
import { waveProgress } from '../waves';
import { ChildSessionsTable } from './ChildSessionsTable';
import { FanOutProgress } from './FanOutProgress';
import { SessionLayout, type SessionViewProps } from './SessionLayout';
import { useChildSessions } from './useChildSessions';
import { WaveErrorAlert } from './WaveErrorAlert';

/**
 * A fan-out session runs nothing itself, so instead of runs and a log it shows how far its task
 * sessions have got and lists every one of them.
 */
export function FanOutView(props: SessionViewProps) {
  const { session, reload, setSession, refreshError } = props;
  const tasks = useChildSessions(session.id);
  const reloadChildren = tasks.reload;

  // A task's status change moves the fan-out's counts: reload it. (Its own status changes reload
  // it through the session page.)
  useSessionSignalReload({ parentSessionId: session.id }, reload);

  // Whenever the fan-out's counts or status move (a signal, the page's poll, a cancel), a child has
  // changed: reload the list so that it matches. So does a new current wave or a wave's error.
  const countsKey = `${session.status} ${JSON.stringify(
    session.children ?? null,
  )} ${session.currentWave ?? ''} ${session.waveError ?? ''}`;
  const lastCountsKey = useRef(countsKey);
  useEffect(() => {
    if (countsKey === lastCountsKey.current) return;
    lastCountsKey.current = countsKey;
    reloadChildren();
  }, [countsKey, reloadChildren]);

  const onChanged = useCallback(
    (changed: AgentsSessionWithRuns) => {
      setSession(changed);
      reloadChildren();
    },
    [setSession, reloadChildren],
  );

  const progress = fanOutProgress(session.children, tasks.children);
  const waves = waveProgress(session, tasks.children);

  return (
    <SessionLayout
      session={session}
      onChanged={onChanged}
      refreshError={refreshError}
      alert={
        session.waveError ? <WaveErrorAlert fanOut={session} /> : undefined
      }
      detailsTitle="Fan-out"
      aside={
        <InfoCard title="Progress">
          <FanOutProgress progress={progress} waves={waves} />
        </InfoCard>
      }
    >
      <InfoCard
        title="Task sessions"
        subheader={progress.total > 0 ? taskCount(progress.total) : undefined}
      >
        <ChildSessionsTable
          items={tasks.children}
          error={tasks.error}
          loading={tasks.loading}
          fanOut={session}
        />
      </InfoCard>
    </SessionLayout>
  );
}
