import { useCallback, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionWithRuns } from '../../api/types';

/** A session with its runs, loaded on mount; `reload` refreshes it without hiding what is shown. */
export function useSession(sessionId: string) {
  const api = useApi(agentsApiRef);
  const [session, setSession] = useState<AgentsSessionWithRuns>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration(g => g + 1), []);

  useEffect(() => {
    setSession(undefined);
    setError(undefined);
  }, [sessionId]);

  useEffect(() => {
    let current = true;
    setLoading(true);
    api.getSession(sessionId).then(
      loaded => {
        if (!current) return;
        setSession(loaded);
        setError(undefined);
        setLoading(false);
      },
      e => {
        if (!current) return;
        setError(e);
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [api, sessionId, generation]);

  return { session, error, loading, reload, setSession };
}
