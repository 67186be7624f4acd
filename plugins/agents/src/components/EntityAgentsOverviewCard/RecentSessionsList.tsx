import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Box from '@material-ui/core/Box';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/core-plugin-api';
import type { AgentsSession } from '../../api/types';
import { sessionRouteRef } from '../../routes';
import {
  firstLine,
  formatRelative,
  harnessShortLabel,
  userName,
} from '../format';
import { SessionStatusChip } from '../SessionStatusChip';

/** The entity's last sessions: status, prompt linking to the session's page, who and when. */
export function RecentSessionsList(props: { sessions: AgentsSession[] }) {
  const sessionLink = useRouteRef(sessionRouteRef);
  return (
    <List dense disablePadding aria-label="Recent sessions">
      {props.sessions.map(session => (
        <ListItem key={session.id} disableGutters divider>
          <Box mr={1}>
            <SessionStatusChip status={session.status} />
          </Box>
          <ListItemText
            primary={
              <Link to={sessionLink({ sessionId: session.id })}>
                {firstLine(session.prompt, 80) || session.id}
              </Link>
            }
            secondary={`${harnessShortLabel(session.harness)} · ${userName(
              session.createdBy,
            )} · ${formatRelative(session.createdAt)}`}
          />
        </ListItem>
      ))}
    </List>
  );
}
