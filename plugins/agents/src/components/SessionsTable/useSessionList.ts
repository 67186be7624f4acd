import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  SESSION_STATUSES,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionPage, AgentsSessionStatus } from '../../api/types';
import { usePoll } from '../usePoll';
import { useSessionSignalReload } from '../useSessionSignalReload';

/** The status filter: every status, the unfinished ones, or one status. */
export type StatusFilter = 'all' | 'active' | AgentsSessionStatus;

/** The unfinished statuses, in lifecycle order. */
export const ACTIVE_STATUSES: AgentsSessionStatus[] = SESSION_STATUSES.filter(
  s => !isTerminalStatus(s),
);

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
  pageSize: number;
}) {
  const { entityRef, pageSize } = options;
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
  }, [api, entityRef, status, mine, cursor, pageSize, generation]);

  useSessionSignalReload({ entityRef }, reload);

  const unfinished = useMemo(
    () => state.page?.items.some(s => !isTerminalStatus(s.status)) ?? false,
    [state.page],
  );
  usePoll(unfinished, reload);

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
    reload,
  };
}
