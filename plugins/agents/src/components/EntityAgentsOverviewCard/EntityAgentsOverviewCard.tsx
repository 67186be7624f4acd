import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import AddIcon from '@material-ui/icons/Add';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { useNavigate } from 'react-router-dom';
import { sessionRouteRef } from '../../routes';
import { useLaunchOptions } from '../EntityAgentsContent/EntityAgentsContent';
import { NewSessionDialog } from '../NewSessionDialog';
import { formatRate } from '../UsagePage/usageFormat';
import { RecentSessionsList } from './RecentSessionsList';
import { useAgentsOverview } from './useAgentsOverview';

function Figure(props: { label: string; value: string }) {
  return (
    <Box mr={4}>
      <Typography variant="h5" component="p" aria-label={props.label}>
        {props.value}
      </Typography>
      <Typography variant="caption" color="textSecondary">
        {props.label}
      </Typography>
    </Box>
  );
}

/**
 * The entity page's overview card of its agent sessions: the last five with their status, how many
 * run now, the success rate of the last 30 days, and the "New session" button of the Agents tab.
 */
export function EntityAgentsOverviewCard() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const overview = useAgentsOverview(entityRef);
  const launch = useLaunchOptions(entityRef);
  const navigate = useNavigate();
  const sessionLink = useRouteRef(sessionRouteRef);
  const [dialogOpen, setDialogOpen] = useState(false);
  const canCreate = launch.state === 'loaded' && launch.options.canCreate;

  let body;
  if (!overview.value) {
    body =
      overview.state === 'error' ? (
        <ResponseErrorPanel error={overview.error} />
      ) : (
        <Progress />
      );
  } else {
    const o = overview.value;
    body = (
      <>
        <Box display="flex" mb={1}>
          <Figure
            label="running now"
            value={`${o.running}${o.runningMore ? '+' : ''}`}
          />
          <Figure
            label={
              o.finished30Days
                ? `succeeded, last 30 days (${o.finished30Days} finished)`
                : 'success rate, last 30 days'
            }
            value={formatRate(o.successRate)}
          />
        </Box>
        {o.recent.length ? (
          <RecentSessionsList sessions={o.recent} />
        ) : (
          <Typography variant="body2" color="textSecondary">
            No agent sessions yet.
          </Typography>
        )}
      </>
    );
  }

  return (
    <div data-testid="agents-overview-card">
      <InfoCard
        title="Agent sessions"
        subheader={
          launch.state === 'loaded' && !canCreate
            ? launch.options.reason
            : undefined
        }
      >
        {body}
        {launch.state === 'loaded' && launch.options.canCreate && (
          <Box mt={2}>
            <Button
              variant="outlined"
              color="primary"
              startIcon={<AddIcon />}
              onClick={() => setDialogOpen(true)}
            >
              New session
            </Button>
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
          </Box>
        )}
      </InfoCard>
    </div>
  );
}
