import type { ReactNode } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import type { PromptForm } from './usePromptForm';

const useStyles = makeStyles(theme => ({
  requestError: { marginBottom: theme.spacing(2) },
}));

/**
 * The frame of a dialog that sends a prompt (new session, resume): title, an introduction, a refused
 * request above the form, and Cancel / submit. It cannot be closed while the request is on its way.
 */
export function PromptDialog(props: {
  open: boolean;
  onClose: () => void;
  form: PromptForm;
  /** The id of the title, which names the dialog. */
  titleId: string;
  title: ReactNode;
  intro: ReactNode;
  submitLabel: string;
  children: ReactNode;
}) {
  const { open, onClose, form, titleId, title, intro, submitLabel } = props;
  const classes = useStyles();
  return (
    <Dialog
      open={open}
      onClose={form.submitting ? undefined : onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="textSecondary" paragraph>
          {intro}
        </Typography>
        {form.requestError && (
          <Alert severity="error" className={classes.requestError}>
            {form.requestError}
          </Alert>
        )}
        {props.children}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={form.submitting}>
          Cancel
        </Button>
        <Button
          color="primary"
          variant="contained"
          onClick={form.submit}
          disabled={form.submitting}
          startIcon={
            form.submitting ? <CircularProgress size={16} /> : undefined
          }
        >
          {submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
