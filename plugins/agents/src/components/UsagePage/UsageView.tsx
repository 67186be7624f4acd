import Box from '@material-ui/core/Box';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
  WarningPanel,
} from '@backstage/core-components';
import type { AgentsUsageStatisticsQuery } from '../../api/types';
import { errorMessage } from '../format';
import { SessionsPerDayChart } from './SessionsPerDayChart';
import { TopEntitiesTable } from './TopEntitiesTable';
import { UsageSummary } from './UsageSummary';
import { useUsageStatistics } from './useUsageStatistics';

/** The statistics of one query: figures, sessions per day and the top entities. */
export function UsageView(props: { query: AgentsUsageStatisticsQuery }) {
  const usage = useUsageStatistics(props.query);
  if (!usage.value) {
    return usage.state === 'error' ? (
      <ResponseErrorPanel error={usage.error} />
    ) : (
      <Progress />
    );
  }
  const stats = usage.value;
  // Blocks one under the other, never shrunk to fit the page: it scrolls instead.
  return (
    <div>
      {usage.state === 'error' && (
        <Box mb={2}>
          <WarningPanel
            title="Could not load these statistics"
            message={errorMessage(usage.error)}
          />
        </Box>
      )}
      {usage.state === 'loading' && <Progress />}
      <Box mb={2}>
        <UsageSummary stats={stats} />
      </Box>
      <Box mb={2}>
        <InfoCard title="Sessions per day">
          <SessionsPerDayChart perDay={stats.perDay} />
        </InfoCard>
      </Box>
      <TopEntitiesTable rows={stats.topEntities} />
    </div>
  );
}
