import { useState } from 'react';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import type { AgentsHarnessName } from '../../api/types';
import { harnessLabel } from '../format';

export interface UsageFilterValue {
  ownerRef?: string;
  entityRef?: string;
  days: number;
  harness?: AgentsHarnessName;
}

export const RANGES = [7, 30, 90, 365];
const HARNESSES: AgentsHarnessName[] = [
  'opencode',
  'claude-code',
  'codex',
  'demo',
];

const useStyles = makeStyles(theme => ({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  field: { minWidth: 200 },
}));

/** A ref typed in a text field, applied on Enter or when the field loses focus. */
function RefField(props: {
  id: string;
  label: string;
  placeholder: string;
  value?: string;
  disabled?: boolean;
  onChange: (value?: string) => void;
}) {
  const classes = useStyles();
  const [text, setText] = useState(props.value ?? '');
  const apply = () => props.onChange(text.trim() || undefined);
  return (
    <TextField
      id={props.id}
      className={classes.field}
      label={props.label}
      placeholder={props.placeholder}
      value={text}
      disabled={props.disabled}
      helperText={
        props.disabled ? 'Clear the other filter first' : 'Enter to apply'
      }
      onChange={e => setText(e.target.value)}
      onBlur={apply}
      onKeyDown={e => e.key === 'Enter' && apply()}
    />
  );
}

/**
 * The filters of the usage statistics. Owner and entity exclude each other (the API takes one);
 * `refs: false` leaves them out, for an entity's own tab.
 */
export function UsageFilters(props: {
  value: UsageFilterValue;
  onChange: (value: UsageFilterValue) => void;
  refs?: boolean;
}) {
  const classes = useStyles();
  const { value, onChange } = props;
  return (
    <div className={classes.row}>
      {props.refs !== false && (
        <>
          <RefField
            id="agents-usage-owner"
            label="Owner (group)"
            placeholder="group:default/team-a"
            value={value.ownerRef}
            disabled={!!value.entityRef}
            onChange={ownerRef => onChange({ ...value, ownerRef })}
          />
          <RefField
            id="agents-usage-entity"
            label="Entity"
            placeholder="component:default/payments"
            value={value.entityRef}
            disabled={!!value.ownerRef}
            onChange={entityRef => onChange({ ...value, entityRef })}
          />
        </>
      )}
      <TextField
        select
        className={classes.field}
        label="Time range"
        SelectProps={{
          SelectDisplayProps: { 'aria-label': 'Time range' } as any,
        }}
        value={value.days}
        onChange={e => onChange({ ...value, days: Number(e.target.value) })}
      >
        {RANGES.map(days => (
          <MenuItem key={days} value={days}>
            Last {days} days
          </MenuItem>
        ))}
      </TextField>
      <TextField
        select
        className={classes.field}
        label="Harness"
        // "All harnesses" is the empty value: shown, with the label above it.
        InputLabelProps={{ shrink: true }}
        SelectProps={{
          displayEmpty: true,
          SelectDisplayProps: { 'aria-label': 'Harness' } as any,
        }}
        value={value.harness ?? ''}
        onChange={e =>
          onChange({
            ...value,
            harness: (e.target.value || undefined) as
              | AgentsHarnessName
              | undefined,
          })
        }
      >
        <MenuItem value="">All harnesses</MenuItem>
        {HARNESSES.map(h => (
          <MenuItem key={h} value={h}>
            {harnessLabel(h)}
          </MenuItem>
        ))}
      </TextField>
    </div>
  );
}
