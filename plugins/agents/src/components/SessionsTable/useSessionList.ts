import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  SESSIONS_SIGNAL_CHANNEL,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionPage, AgentsSessionStatus } from '../../api/types';

/** What the backend publishes on the sessions channel (`entityRef` when it names the entity). */
export type SessionSignal = {
  sessionId?: string;
  entityRef?: string;
  status?: AgentsSessionStatus;
};

/** How often a list with unfinished sessions is reloaded when no signal arrives. */
export const POLL_INTERVAL_MS = 10_000;

/** Signals arriving in a burst (a fan-out starting) cause one reload per this interval at most. */
export const SIGNAL_RELOAD_INTERVAL_MS = 2_000;

/** The status filter: every status, the unfinished ones, or one status. */
export type StatusFilter = 'all' | 'active' | AgentsSessionStatus;

export const ACTIVE_STATUSES: AgentsSessionStatus[] = [
  'pending',
  'starting',
  'running',
];

function statusQuery(filter: StatusFilter): string | undefined {
  if (filter === 'all') return undefined;
  if (filter === 'active') return ACTIVE_STATUSES.join(',');
  return filter;
}

type State = {
  page?: AgentsSessionPage;
  error?: Error;
  loading: boolean;
};

/**
 * One page of sessions, newest first, with keyset pagination (a stack of the cursors of the pages
 * before this one), status and "mine" filters, and live updates: a reload on every signal about a
 * session of this entity, and a poll while any session on the page is unfinished.
 */
export function useSessionList(options: {
  entityRef?: string;
  parentSessionId?: string;
  pageSize: number;
}) {
  const { entityRef, parentSessionId, pageSize } = options;
  const api = useApi(agentsApiRef);
  const [status, setStatusState] = useState<StatusFilter>('all');
  const [mine, setMineState] = useState(false);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [state, setState] = useState<State>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    setState(s => ({ ...s, loading: true }));
    api
      .listSessions({
        entityRef,
        parentSessionId,
        status: statusQuery(status),
        createdBy: mine ? 'me' : undefined,
        limit: pageSize,
        cursor,
      })
      .then(
        page => current && setState({ page, loading: false }),
        error =>
          current && setState(s => ({ page: s.page, error, loading: false })),
      );
    return () => {
      current = false;
    };
  }, [
    api,
    entityRef,
    parentSessionId,
    status,
    mine,
    cursor,
    pageSize,
    generation,
  ]);

  const { lastSignal } = useSignal<SessionSignal>(SESSIONS_SIGNAL_CHANNEL);
  const lastSignalReload = useRef(0);
  const pendingSignalReload = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (!lastSignal) return;
    if (entityRef && lastSignal.entityRef && lastSignal.entityRef !== entityRef)
      return;
    if (pendingSignalReload.current) return;
    const wait =
      lastSignalReload.current + SIGNAL_RELOAD_INTERVAL_MS - Date.now();
    const run = () => {
      pendingSignalReload.current = undefined;
      lastSignalReload.current = Date.now();
      reload();
    };
    if (wait <= 0) run();
    else pendingSignalReload.current = setTimeout(run, wait);
  }, [lastSignal, entityRef, reload]);
  useEffect(() => () => clearTimeout(pendingSignalReload.current), []);

  const unfinished = useMemo(
    () => state.page?.items.some(s => !isTerminalStatus(s.status)) ?? false,
    [state.page],
  );
  useEffect(() => {
    if (!unfinished) return undefined;
    const timer = setInterval(reload, POLL_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [unfinished, reload]);

  const setStatus = useCallback((value: StatusFilter) => {
    setStatusState(value);
    setCursors([undefined]);
  }, []);
  const setMine = useCallback((value: boolean) => {
    setMineState(value);
    setCursors([undefined]);
  }, []);
  const nextCursor = state.page?.nextCursor;
  const nextPage = useCallback(() => {
    if (nextCursor) setCursors(c => [...c, nextCursor]);
  }, [nextCursor]);
  const previousPage = useCallback(() => {
    setCursors(c => (c.length > 1 ? c.slice(0, -1) : c));
  }, []);
  const firstPage = useCallback(() => setCursors([undefined]), []);

  return {
    ...state,
    status,
    setStatus,
    mine,
    setMine,
    pageNumber: cursors.length,
    hasNextPage: Boolean(nextCursor),
    hasPreviousPage: cursors.length > 1,
    nextPage,
    previousPage,
    firstPage,
    reload,
  };
}
