import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { NewSessionButton } from '../NewSessionDialog';
import { formatRate } from '../UsagePage/usageFormat';
import { RecentSessionsList } from './RecentSessionsList';
import { useAgentsOverview } from './useAgentsOverview';
import { useLaunchOptions } from '../useLaunchOptions';

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
            <NewSessionButton
              entityRef={entityRef}
              policy={launch.options.policy}
              variant="outlined"
            />
          </Box>
        )}
      </InfoCard>
    </div>
  );
}
