import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../api/AgentsApi';
import type { AgentsLaunchOptions } from '../api/types';

export type LaunchState =
  | { state: 'loading' }
  | { state: 'loaded'; options: AgentsLaunchOptions }
  | { state: 'error'; error: Error };

/** Loads whether the user may start a session on the entity, and the policy that would apply. */
export function useLaunchOptions(entityRef: string): LaunchState {
  const api = useApi(agentsApiRef);
  const [launch, setLaunch] = useState<LaunchState>({ state: 'loading' });
  useEffect(() => {
    let current = true;
    setLaunch({ state: 'loading' });
    api.getLaunchOptions(entityRef).then(
      options => current && setLaunch({ state: 'loaded', options }),
      error => current && setLaunch({ state: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [api, entityRef]);
  return launch;
}
