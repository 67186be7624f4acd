import { useCallback, useEffect, useMemo, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import {
  SESSION_LIMITS,
  isTerminalStatus,
} from '@backstage-agents/plugin-agents-common';
import { agentsApiRef, type AgentsApi } from '../../api/AgentsApi';
import type { AgentsSession } from '../../api/types';
import { usePoll } from '../usePoll';

/** Every child of a fan-out, following `nextCursor` through all pages (newest first, as listed). */
async function listAllChildren(
  api: AgentsApi,
  parentSessionId: string,
): Promise<AgentsSession[]> {
  const children = new Map<string, AgentsSession>();
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await api.listSessions({
      parentSessionId,
      limit: SESSION_LIMITS.maxPageSize,
      cursor,
    });
    // A child that moved between pages while paging is listed once.
    for (const child of page.items)
      if (!children.has(child.id)) children.set(child.id, child);
    cursor = page.nextCursor;
    // A cursor seen before would page forever.
    if (cursor && seen.has(cursor)) break;
    if (cursor) seen.add(cursor);
  } while (cursor);
  return [...children.values()];
}

/** How long after a child succeeded its pull request is looked for (the backend opens it just after). */
const PULL_REQUEST_WAIT_MS = 120_000;

/** A child whose row may still change: unfinished, or just succeeded and its pull request not there yet. */
function mayChange(child: AgentsSession, now: number): boolean {
  if (!isTerminalStatus(child.status)) return true;
  return (
    child.status === 'succeeded' &&
    !child.prUrl &&
    !!child.finishedAt &&
    now - Date.parse(child.finishedAt) < PULL_REQUEST_WAIT_MS
  );
}

type State = { children?: AgentsSession[]; error?: Error; loading: boolean };

/**
 * All the child sessions of a fan-out, loaded on mount; `reload` refreshes them without hiding what is
 * shown. While a child may still change they are reloaded every `POLL_INTERVAL_MS`, in case
 * signals do not arrive; reloading on signals is the caller's.
 */
export function useChildSessions(parentSessionId: string) {
  const api = useApi(agentsApiRef);
  const [state, setState] = useState<State>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);

  useEffect(() => {
    setState({ loading: true });
  }, [parentSessionId]);

  useEffect(() => {
    let current = true;
    setState(s => ({ ...s, loading: true }));
    listAllChildren(api, parentSessionId).then(
      children => current && setState({ children, loading: false }),
      error =>
        current &&
        setState(s => ({ children: s.children, error, loading: false })),
    );
    return () => {
      current = false;
    };
  }, [api, parentSessionId, generation]);

  const live = useMemo(() => {
    const now = Date.now();
    return state.children?.some(child => mayChange(child, now)) ?? false;
  }, [state.children]);
  usePoll(live, reload);

  return { ...state, reload };
}
