import Typography from '@material-ui/core/Typography';
import { EmptyState, InfoCard } from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { hasEntityRepository } from '@backstage-agents/plugin-agents-common';
import { useEntity } from '@backstage/plugin-catalog-react';
import { errorMessage } from '../format';
import { NewSessionButton } from '../NewSessionDialog';
import { SessionsTable } from '../SessionsTable';
import { useLaunchOptions } from '../useLaunchOptions';

/** The "Agents" tab of a catalog entity: its agent sessions, and a button to start one. */
export function EntityAgentsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const launch = useLaunchOptions(entityRef);

  let action = null;
  if (launch.state === 'loaded' && launch.options.canCreate) {
    action = (
      <NewSessionButton
        entityRef={entityRef}
        policy={launch.options.policy}
        variant="contained"
      />
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
    <InfoCard title="Agent sessions">
      <SessionsTable
        entityRef={entityRef}
        action={action}
        emptyState={emptyState}
      />
    </InfoCard>
  );
}

/** Whether the Agents tab applies to an entity: it needs a repository the agents can work on. */
export function isAgentsAvailable(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  return hasEntityRepository(entity);
}
