import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { Link } from '@backstage/core-components';

const useStyles = makeStyles(theme => ({
  root: { display: 'inline-flex', alignItems: 'center', gap: theme.spacing(1) },
  open: { color: '#1a7f37', borderColor: '#1a7f37' },
  merged: { color: '#8250df', borderColor: '#8250df' },
  closed: {
    color: theme.palette.error.main,
    borderColor: theme.palette.error.main,
  },
}));

/** `#42` for a GitHub pull request URL, else the URL's path. */
export function pullRequestLabel(url: string): string {
  const number = url.match(/\/pull\/(\d+)/)?.[1];
  if (number) return `#${number}`;
  try {
    return new URL(url).pathname.replace(/^\//, '') || url;
  } catch {
    return url;
  }
}

/** A link to a session's pull request with its state. */
export function PullRequestLink(props: { url?: string; state?: string }) {
  const classes = useStyles();
  if (!props.url) return null;
  return (
    <span className={classes.root}>
      <Link to={props.url} target="_blank" rel="noopener noreferrer">
        {pullRequestLabel(props.url)}
      </Link>
      {props.state && (
        <Chip
          size="small"
          variant="outlined"
          label={props.state}
          className={classes[props.state as 'open' | 'merged' | 'closed']}
        />
      )}
    </span>
  );
}
