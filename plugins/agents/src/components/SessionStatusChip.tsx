import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import ScheduleIcon from '@material-ui/icons/Schedule';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import AutorenewIcon from '@material-ui/icons/Autorenew';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import CancelIcon from '@material-ui/icons/Cancel';
import TimerOffIcon from '@material-ui/icons/TimerOff';
import type { ComponentType } from 'react';
import type { AgentsSessionStatus } from '../api/types';
import { statusLabel } from './format';

type Tone = 'pending' | 'running' | 'ok' | 'error' | 'aborted' | 'warning';

const STATUS: Record<
  AgentsSessionStatus,
  { tone: Tone; Icon: ComponentType<any> }
> = {
  pending: { tone: 'pending', Icon: ScheduleIcon },
  starting: { tone: 'running', Icon: HourglassEmptyIcon },
  running: { tone: 'running', Icon: AutorenewIcon },
  succeeded: { tone: 'ok', Icon: CheckCircleIcon },
  failed: { tone: 'error', Icon: ErrorIcon },
  cancelled: { tone: 'aborted', Icon: CancelIcon },
  timed_out: { tone: 'warning', Icon: TimerOffIcon },
};

const useStyles = makeStyles(theme => {
  const colours: Record<Tone, string> = {
    pending: theme.palette.status?.pending ?? theme.palette.grey[600],
    running: theme.palette.status?.running ?? theme.palette.info.main,
    ok: theme.palette.status?.ok ?? theme.palette.success.main,
    error: theme.palette.status?.error ?? theme.palette.error.main,
    aborted: theme.palette.status?.aborted ?? theme.palette.grey[500],
    warning: theme.palette.status?.warning ?? theme.palette.warning.main,
  };
  const tone = (t: Tone) => ({
    color: colours[t],
    borderColor: colours[t],
    '& $icon': { color: colours[t] },
  });
  return {
    chip: { fontWeight: theme.typography.fontWeightMedium as number },
    icon: {},
    spin: {
      animation: '$spin 2s linear infinite',
    },
    '@keyframes spin': {
      from: { transform: 'rotate(0deg)' },
      to: { transform: 'rotate(360deg)' },
    },
    pending: tone('pending'),
    running: tone('running'),
    ok: tone('ok'),
    error: tone('error'),
    aborted: tone('aborted'),
    warning: tone('warning'),
  };
});

/**
 * A session's or run's status: icon, colour and label (`pending` reads "queued"), or `label` instead
 * when the status means more there (a held task's "waiting for wave 2").
 */
export function SessionStatusChip(props: {
  status: AgentsSessionStatus | string;
  label?: string;
}) {
  const classes = useStyles();
  const entry = STATUS[props.status as AgentsSessionStatus] ?? STATUS.pending;
  const { Icon } = entry;
  return (
    <Chip
      size="small"
      variant="outlined"
      data-testid="session-status"
      data-status={props.status}
      className={`${classes.chip} ${classes[entry.tone]}`}
      icon={
        <Icon
          fontSize="small"
          className={`${classes.icon} ${
            props.status === 'running' ? classes.spin : ''
          }`}
        />
      }
      label={props.label ?? statusLabel(props.status)}
    />
  );
}
