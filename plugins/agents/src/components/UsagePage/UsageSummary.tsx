import Box from '@material-ui/core/Box';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { InfoCard } from '@backstage/core-components';
import type {
  AgentsSessionStatus,
  AgentsUsageStatistics,
} from '../../api/types';
import { formatDuration, formatTokens } from '../format';
import { SessionStatusChip } from '../SessionStatusChip';
import { formatCost, formatRate } from './usageFormat';

const STATUS_ORDER: AgentsSessionStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'running',
  'starting',
  'pending',
];

function Figure(props: { label: string; value: string; detail?: string }) {
  return (
    <Grid item xs={6} md={3}>
      <InfoCard title={props.label} noPadding={false}>
        <Typography variant="h4" component="p" aria-label={props.label}>
          {props.value}
        </Typography>
        {props.detail && (
          <Typography variant="body2" color="textSecondary">
            {props.detail}
          </Typography>
        )}
      </InfoCard>
    </Grid>
  );
}

/** The range's figures: sessions and their statuses, success rate, run time, tokens and cost. */
export function UsageSummary(props: { stats: AgentsUsageStatistics }) {
  const { stats } = props;
  const finished = ['succeeded', 'failed', 'timed_out', 'cancelled'].reduce(
    (sum, s) => sum + (stats.byStatus[s] ?? 0),
    0,
  );
  const { usage, duration } = stats;
  return (
    <>
      <Grid container spacing={2}>
        <Figure
          label="Sessions"
          value={String(stats.total)}
          detail={`${stats.from} to ${stats.to}`}
        />
        <Figure
          label="Success rate"
          value={formatRate(stats.successRate)}
          detail={`${stats.byStatus.succeeded ?? 0} of ${finished} finished`}
        />
        <Figure
          label="Duration p50 / p90"
          value={
            duration
              ? `${formatDuration(duration.p50Ms)} / ${formatDuration(
                  duration.p90Ms,
                )}`
              : '—'
          }
          detail={
            duration
              ? `of ${duration.count} finished sessions`
              : 'no finished session'
          }
        />
        <Figure
          label="Tokens and cost"
          value={formatCost(usage.costUsd)}
          detail={`${formatTokens(usage.inputTokens)} in, ${formatTokens(
            usage.outputTokens,
          )} out${
            usage.unpricedRuns
              ? `; ${usage.unpricedRuns} runs without a price`
              : ''
          }`}
        />
      </Grid>
      <Box
        display="flex"
        flexWrap="wrap"
        gridGap={8}
        mt={2}
        data-testid="status-counts"
      >
        {STATUS_ORDER.filter(s => stats.byStatus[s]).map(s => (
          <SessionStatusChip
            key={s}
            status={s}
            label={`${s.replace('_', ' ')} · ${stats.byStatus[s]}`}
          />
        ))}
      </Box>
    </>
  );
}
