import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { AgentsUsageStatistics } from '../../api/types';

const useStyles = makeStyles(theme => {
  const colours = {
    succeeded: theme.palette.status?.ok ?? theme.palette.success.main,
    failed: theme.palette.status?.error ?? theme.palette.error.main,
    other: theme.palette.grey[500],
  };
  return {
    // Scaled as a whole (height follows width), so that its text keeps its shape.
    chart: { width: '100%', height: 'auto', display: 'block' },
    succeeded: { fill: colours.succeeded, backgroundColor: colours.succeeded },
    failed: { fill: colours.failed, backgroundColor: colours.failed },
    other: { fill: colours.other, backgroundColor: colours.other },
    axis: { fill: theme.palette.text.secondary, fontSize: 13 },
    grid: { stroke: theme.palette.divider },
    legend: {
      display: 'flex',
      gap: theme.spacing(2),
      marginTop: theme.spacing(1),
    },
    swatch: {
      display: 'inline-block',
      width: 10,
      height: 10,
      marginRight: theme.spacing(0.5),
    },
  };
});

const WIDTH = 1000;
const HEIGHT = 240;
const PAD = { top: 12, right: 8, bottom: 24, left: 36 };

/**
 * Sessions per day as stacked bars (succeeded, failed or timed out, the rest), drawn as plain SVG:
 * a few hundred rectangles need no charting library. Each bar carries its numbers as a tooltip.
 */
export function SessionsPerDayChart(props: {
  perDay: AgentsUsageStatistics['perDay'];
}) {
  const classes = useStyles();
  const { perDay } = props;
  const max = Math.max(1, ...perDay.map(d => d.sessions));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, perDay.length);
  const barW = Math.max(1, slot * 0.8);
  const y = (n: number) => (n / max) * plotH;
  const total = perDay.reduce((sum, d) => sum + d.sessions, 0);
  const labelled = new Set([
    0,
    Math.floor((perDay.length - 1) / 2),
    perDay.length - 1,
  ]);
  return (
    <div>
      <svg
        className={classes.chart}
        // Without it a browser may give the element the default 150px height and clip the bars.
        style={{ aspectRatio: `${WIDTH} / ${HEIGHT}` }}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`Sessions per day from ${perDay[0]?.date} to ${
          perDay.at(-1)?.date
        }: ${total} in all`}
        data-testid="sessions-per-day-chart"
      >
        <line
          className={classes.grid}
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={PAD.top}
          y2={PAD.top}
        />
        <line
          className={classes.grid}
          x1={PAD.left}
          x2={WIDTH - PAD.right}
          y1={HEIGHT - PAD.bottom}
          y2={HEIGHT - PAD.bottom}
        />
        <text
          className={classes.axis}
          x={PAD.left - 4}
          y={PAD.top + 4}
          textAnchor="end"
        >
          {max}
        </text>
        <text
          className={classes.axis}
          x={PAD.left - 4}
          y={HEIGHT - PAD.bottom}
          textAnchor="end"
        >
          0
        </text>
        {perDay.map((day, i) => {
          const x = PAD.left + i * slot + (slot - barW) / 2;
          const other = day.sessions - day.succeeded - day.failed;
          let base = HEIGHT - PAD.bottom;
          const segment = (n: number, className: string) => {
            if (n <= 0) return null;
            base -= y(n);
            return (
              <rect
                key={className}
                className={className}
                x={x}
                y={base}
                width={barW}
                height={y(n)}
              />
            );
          };
          return (
            <g
              key={day.date}
              data-testid="day-bar"
              data-date={day.date}
              data-sessions={day.sessions}
            >
              <title>
                {`${day.date}: ${day.sessions} session${
                  day.sessions === 1 ? '' : 's'
                }, ${day.succeeded} succeeded, ${day.failed} failed`}
              </title>
              {/* Transparent, so the whole column shows the tooltip. */}
              <rect
                x={PAD.left + i * slot}
                y={PAD.top}
                width={slot}
                height={plotH}
                fill="transparent"
              />
              {segment(day.succeeded, classes.succeeded)}
              {segment(day.failed, classes.failed)}
              {segment(other, classes.other)}
              {labelled.has(i) && (
                <text
                  className={classes.axis}
                  x={x + barW / 2}
                  y={HEIGHT - 6}
                  textAnchor="middle"
                >
                  {day.date.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <div className={classes.legend}>
        {(
          [
            ['succeeded', 'Succeeded'],
            ['failed', 'Failed or timed out'],
            ['other', 'Other (unfinished, cancelled)'],
          ] as const
        ).map(([key, label]) => (
          <Typography key={key} variant="caption">
            <span className={`${classes.swatch} ${classes[key]}`} />
            {label}
          </Typography>
        ))}
      </div>
    </div>
  );
}
