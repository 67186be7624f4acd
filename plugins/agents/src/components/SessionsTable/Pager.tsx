import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import NavigateBeforeIcon from '@material-ui/icons/NavigateBefore';
import NavigateNextIcon from '@material-ui/icons/NavigateNext';

const useStyles = makeStyles(theme => ({
  pager: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
}));

/** "Page N" with "Previous page" / "Next page"; both are disabled while a page loads. */
export function Pager(props: {
  pageNumber: number;
  hasPreviousPage: boolean;
  hasNextPage: boolean;
  loading: boolean;
  onPreviousPage: () => void;
  onNextPage: () => void;
}) {
  const classes = useStyles();
  const buttons = [
    {
      label: 'Previous page',
      enabled: props.hasPreviousPage,
      onClick: props.onPreviousPage,
      icon: { startIcon: <NavigateBeforeIcon /> },
    },
    {
      label: 'Next page',
      enabled: props.hasNextPage,
      onClick: props.onNextPage,
      icon: { endIcon: <NavigateNextIcon /> },
    },
  ];
  return (
    <div className={classes.pager}>
      <Typography variant="body2" color="textSecondary">
        Page {props.pageNumber}
      </Typography>
      {buttons.map(b => (
        <Button
          key={b.label}
          size="small"
          {...b.icon}
          disabled={!b.enabled || props.loading}
          onClick={b.onClick}
        >
          {b.label}
        </Button>
      ))}
    </div>
  );
}
