import type { ReactNode } from 'react';
import Grid from '@material-ui/core/Grid';
import { InfoCard } from '@backstage/core-components';
import type { AgentsSessionWithRuns } from '../../api/types';
import { RefreshWarning } from '../RefreshWarning';
import { SessionActions } from './SessionActions';
import { SessionDetails } from './SessionDetails';

/** What the session page hands to the view of a loaded session, an agent session's or a fan-out's. */
export type SessionViewProps = {
  session: AgentsSessionWithRuns;
  reload: () => void;
  setSession: (session: AgentsSessionWithRuns) => void;
  /** The last reload's error, while the session loaded before stays on screen. */
  refreshError?: Error;
};

/**
 * The body of a session page, the same for both kinds of session so that they read alike: a failed
 * refresh, the actions, the details beside a second card, then one card across the page.
 */
export function SessionLayout(props: {
  session: AgentsSessionWithRuns;
  onChanged: (session: AgentsSessionWithRuns) => void;
  refreshError?: Error;
  /** Shown above the actions, e.g. why a fan-out stopped. */
  alert?: ReactNode;
  /** The details card's title: what kind of session this is. */
  detailsTitle: string;
  /** The card beside the details. */
  aside: ReactNode;
  /** The card across the page, under the details. */
  children: ReactNode;
}) {
  const {
    session,
    onChanged,
    refreshError,
    alert,
    detailsTitle,
    aside,
    children,
  } = props;
  return (
    <Grid container spacing={3}>
      {refreshError && (
        <Grid item xs={12}>
          <RefreshWarning
            title="Could not refresh the session"
            error={refreshError}
          />
        </Grid>
      )}
      {alert && (
        <Grid item xs={12}>
          {alert}
        </Grid>
      )}
      <Grid item xs={12}>
        <SessionActions session={session} onChanged={onChanged} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfoCard title={detailsTitle}>
          <SessionDetails session={session} />
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={6}>
        {aside}
      </Grid>
      <Grid item xs={12}>
        {children}
      </Grid>
    </Grid>
  );
}
