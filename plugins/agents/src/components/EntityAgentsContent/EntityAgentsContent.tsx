import { useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import { EmptyState, InfoCard } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { hasEntityRepository } from '@backstage-agents/plugin-agents-common';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useNavigate } from 'react-router-dom';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsLaunchOptions } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import { errorMessage } from '../format';
import { NewSessionDialog } from '../NewSessionDialog';
import { SessionsTable } from '../SessionsTable';

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

/** The "Agents" tab of a catalog entity: its agent sessions, and a button to start one. */
export function EntityAgentsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const launch = useLaunchOptions(entityRef);
  const navigate = useNavigate();
  const sessionLink = useRouteRef(sessionRouteRef);
  const [dialogOpen, setDialogOpen] = useState(false);

  let action = null;
  if (launch.state === 'loaded' && launch.options.canCreate) {
    action = (
      <Button
        variant="contained"
        color="primary"
        startIcon={<AddIcon />}
        onClick={() => setDialogOpen(true)}
      >
        New session
      </Button>
    );
  } else if (launch.state === 'loaded' || launch.state === 'error') {
    const reason =
      launch.state === 'loaded'
        ? launch.options.reason ??
          'You may not start agent sessions on this entity.'
        : `Sessions cannot be started here: ${errorMessage(launch.error)}`;
    action = (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="launch-unavailable"
      >
        {reason}
      </Typography>
    );
  }

  const emptyState = (
    <EmptyState
      missing="content"
      title="No agent sessions yet"
      description={
        <>
          An agent session runs a coding agent against this component's
          repository in a short-lived, locked-down pod: it works on its own
          branch, pushes its changes and opens a pull request. You can watch its
          log live, cancel it, and resume it later with a follow-up prompt.{' '}
          {launch.state === 'loaded' && launch.options.canCreate
            ? 'Start one with "New session" and describe the change you want.'
            : ''}
        </>
      }
      action={action ?? undefined}
    />
  );

  return (
    <>
      <InfoCard title="Agent sessions">
        <SessionsTable
          entityRef={entityRef}
          action={action}
          emptyState={emptyState}
        />
      </InfoCard>
      {launch.state === 'loaded' && launch.options.canCreate && (
        <NewSessionDialog
          open={dialogOpen}
          entityRef={entityRef}
          policy={launch.options.policy}
          onClose={() => setDialogOpen(false)}
          onCreated={session => {
            setDialogOpen(false);
            navigate(sessionLink({ sessionId: session.id }));
          }}
        />
      )}
    </>
  );
}

/** Whether the Agents tab applies to an entity: it needs a repository the agents can work on. */
export function isAgentsAvailable(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return hasEntityRepository(entity);
}
