import TextField from '@material-ui/core/TextField';
import type { PromptForm } from './usePromptForm';

/** The multi-line prompt of a prompt dialog, with its error (or `hint`) below it. */
export function PromptField(props: {
  form: PromptForm;
  label: string;
  hint: string;
  minRows: number;
  maxRows: number;
  placeholder?: string;
  className?: string;
}) {
  const { form, label, hint, minRows, maxRows, placeholder, className } = props;
  return (
    <TextField
      className={className}
      label={label}
      placeholder={placeholder}
      multiline
      minRows={minRows}
      maxRows={maxRows}
      fullWidth
      required
      // The dialog exists to take this text: focus it, as the ARIA dialog pattern recommends.
      // eslint-disable-next-line jsx-a11y/no-autofocus
      autoFocus
      variant="outlined"
      value={form.prompt}
      onChange={e => form.setPrompt(e.target.value)}
      error={Boolean(form.promptError)}
      helperText={form.promptError ?? hint}
      disabled={form.submitting}
      inputProps={{ 'aria-label': label }}
    />
  );
}
