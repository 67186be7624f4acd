import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { taskCount } from '../fanOut';
import { type WaveGroup, waveTitle } from '../waves';
import { wrappingRow } from '../wrappingRow';

const useStyles = makeStyles(theme => ({
  root: { ...wrappingRow(theme), margin: theme.spacing(2, 0, 1) },
  failed: { color: theme.palette.error.main },
}));

/** Above a wave's tasks: `Wave 2 · running`, then how many tasks it has and how they stand. */
export function WaveHeader(props: { group: WaveGroup }) {
  const { group } = props;
  const classes = useStyles();
  const counts = group.counts.map(c => `${c.count} ${c.label}`).join(', ');
  return (
    <div
      className={classes.root}
      data-testid="wave-header"
      data-wave={group.wave}
      data-state={group.state}
    >
      <Typography
        variant="subtitle1"
        component="h3"
        className={group.state === 'failed' ? classes.failed : undefined}
      >
        {waveTitle(group)}
      </Typography>
      <Typography
        variant="body2"
        color="textSecondary"
        component="span"
        data-testid="wave-counts"
      >
        {taskCount(group.tasks.length)}
        {counts && `: ${counts}`}
      </Typography>
    </div>
  );
}
