import { Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import type {
  ResultHighlight,
  SearchDocument,
} from '@backstage/plugin-search-common';
import { HighlightedSearchResultText } from '@backstage/plugin-search-react';
import Box from '@material-ui/core/Box';
import ListItemIcon from '@material-ui/core/ListItemIcon';
import ListItemText from '@material-ui/core/ListItemText';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import type { ReactNode } from 'react';
import { PullRequestLink } from '../components/PullRequestLink';
import { SessionStatusChip } from '../components/SessionStatusChip';
import {
  formatRelative,
  harnessShortLabel,
  userName,
} from '../components/format';

/** The search document type of agent sessions, as the search module indexes them. */
export const AGENT_SESSION_RESULT_TYPE = 'agent-session';

/** The fields of an `agent-session` search document the list item shows. */
export type AgentSessionSearchDocument = SearchDocument & {
  entityRef?: string;
  owner?: string;
  status?: string;
  harness?: string;
  createdBy?: string;
  createdAt?: string;
  finishedAt?: string;
  prUrl?: string;
  prState?: string;
};

/** @public */
export type AgentSessionSearchResultListItemProps = {
  result?: SearchDocument;
  highlight?: ResultHighlight;
  rank?: number;
  icon?: ReactNode;
  lineClamp?: number;
};

const useStyles = makeStyles(
  theme => ({
    item: { display: 'flex' },
    body: { flexWrap: 'wrap', width: '100%' },
    text: {
      width: '100%',
      wordBreak: 'break-word',
      marginBottom: theme.spacing(1),
    },
    meta: {
      display: 'flex',
      flexWrap: 'wrap',
      alignItems: 'center',
      gap: theme.spacing(1.5),
      marginBottom: theme.spacing(1),
    },
  }),
  { name: 'AgentSessionSearchResultListItem' },
);

/** A field of the document with the search engine's highlighting, or as indexed when it has none. */
function Highlighted(props: {
  highlight?: ResultHighlight;
  field: 'title' | 'text';
  text: string;
}) {
  const { highlight, field, text } = props;
  const highlighted = highlight?.fields[field];
  if (!highlighted) return <>{text}</>;
  return (
    <HighlightedSearchResultText
      text={highlighted}
      preTag={highlight.preTag}
      postTag={highlight.postTag}
    />
  );
}

/**
 * A search result for an agent session: the prompt's first line (linking to the session page), the
 * matching text, then status, entity, harness, author, time and pull request.
 *
 * @public
 */
export function AgentSessionSearchResultListItem(
  props: AgentSessionSearchResultListItemProps,
) {
  const classes = useStyles();
  const result = props.result as AgentSessionSearchDocument | undefined;
  const { highlight } = props;
  if (!result) return null;
  return (
    <div className={classes.item} data-testid="agent-session-search-result">
      {props.icon && <ListItemIcon>{props.icon}</ListItemIcon>}
      <div className={classes.body}>
        <ListItemText
          className={classes.text}
          primaryTypographyProps={{ variant: 'h6' }}
          primary={
            <Link noTrack to={result.location}>
              <Highlighted
                highlight={highlight}
                field="title"
                text={result.title}
              />
            </Link>
          }
          secondary={
            <Typography
              component="span"
              color="textSecondary"
              variant="body2"
              style={{
                display: '-webkit-box',
                WebkitBoxOrient: 'vertical',
                WebkitLineClamp: props.lineClamp ?? 3,
                overflow: 'hidden',
              }}
            >
              <Highlighted
                highlight={highlight}
                field="text"
                text={result.text}
              />
            </Typography>
          }
        />
        <Box className={classes.meta}>
          {result.status && <SessionStatusChip status={result.status} />}
          {result.entityRef && (
            <Typography variant="body2" component="span">
              <EntityRefLink entityRef={result.entityRef} />
            </Typography>
          )}
          {result.harness && (
            <Typography variant="body2" component="span" color="textSecondary">
              {harnessShortLabel(result.harness)}
            </Typography>
          )}
          {result.createdBy && (
            <Typography variant="body2" component="span" color="textSecondary">
              by {userName(result.createdBy)}
              {result.createdAt ? `, ${formatRelative(result.createdAt)}` : ''}
            </Typography>
          )}
          <PullRequestLink url={result.prUrl} state={result.prState} />
        </Box>
      </div>
    </div>
  );
}
