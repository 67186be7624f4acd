import { useCallback, useState, type UIEvent } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowDownwardIcon from '@material-ui/icons/ArrowDownward';
import { LogViewer, Progress, WarningPanel } from '@backstage/core-components';
import { errorMessage } from '../format';
import type { LogConnection } from './useSessionLog';

const useStyles = makeStyles(theme => ({
  root: { position: 'relative' },
  viewer: { height: '60vh', minHeight: 320 },
  status: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  jump: {
    position: 'absolute',
    bottom: theme.spacing(2),
    left: '50%',
    transform: 'translateX(-50%)',
    zIndex: 2,
  },
}));

const CONNECTION_TEXT: Record<LogConnection, string> = {
  connecting: 'Connecting to the log…',
  live: 'Live',
  reconnecting: 'Connection lost; reconnecting…',
  ended: 'Complete',
  failed: 'The log is not available',
};

/** How close to the end counts as "at the end" when deciding whether to follow the tail. */
const FOLLOW_SLACK_PX = 40;

export type SessionLogProps = {
  sessionId: string;
  text: string;
  lineCount: number;
  connection: LogConnection;
  error?: Error;
};

/**
 * The session's log in the core LogViewer (virtualised, searchable). It follows the tail while the
 * user is at the end; once they scroll up, new lines are held back (and counted) until they return to
 * the end or press "Follow the log".
 */
export function SessionLog(props: SessionLogProps) {
  const { sessionId, text, lineCount, connection, error } = props;
  const classes = useStyles();
  const [frozen, setFrozen] = useState<{
    text: string;
    lineCount: number;
  } | null>(null);

  const onScrollCapture = useCallback(
    (event: UIEvent<HTMLDivElement>) => {
      const el = event.target as HTMLElement;
      if (!el || el.scrollHeight <= el.clientHeight) return;
      const atEnd =
        el.scrollTop + el.clientHeight >= el.scrollHeight - FOLLOW_SLACK_PX;
      if (atEnd && frozen) setFrozen(null);
      else if (!atEnd && !frozen) setFrozen({ text, lineCount });
    },
    [frozen, text, lineCount],
  );

  const download = useCallback(() => {
    const blob = new Blob([text], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `agent-session-${sessionId}.log`;
    a.click();
    URL.revokeObjectURL(url);
  }, [text, sessionId]);

  const held = frozen ? lineCount - frozen.lineCount : 0;

  return (
    <div className={classes.root}>
      <div className={classes.status}>
        <Typography
          variant="body2"
          color="textSecondary"
          data-testid="log-connection"
        >
          {CONNECTION_TEXT[connection]} · {lineCount}{' '}
          {lineCount === 1 ? 'line' : 'lines'}
        </Typography>
      </div>
      {error && connection !== 'live' && connection !== 'ended' && (
        <WarningPanel
          severity={connection === 'failed' ? 'error' : 'warning'}
          title={
            connection === 'failed'
              ? 'The log is not available'
              : 'The log stream was interrupted'
          }
          message={errorMessage(error)}
        />
      )}
      {lineCount === 0 && connection === 'connecting' && <Progress />}
      {lineCount === 0 && connection !== 'connecting' && (
        <Box p={2}>
          <Typography color="textSecondary">
            {connection === 'ended'
              ? 'This session wrote no log.'
              : 'Waiting for the first log line…'}
          </Typography>
        </Box>
      )}
      {lineCount > 0 && (
        <div
          className={classes.viewer}
          onScrollCapture={onScrollCapture}
          data-testid="session-log"
        >
          <LogViewer
            text={frozen ? frozen.text : text}
            onDownloadLog={download}
          />
        </div>
      )}
      {frozen && (
        <Button
          className={classes.jump}
          variant="contained"
          color="primary"
          size="small"
          startIcon={<ArrowDownwardIcon />}
          onClick={() => setFrozen(null)}
        >
          {held > 0 ? `${held} new ${held === 1 ? 'line' : 'lines'} · ` : ''}
          Follow the log
        </Button>
      )}
    </div>
  );
}
