import {
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import DeveloperBoardIcon from '@material-ui/icons/DeveloperBoard';
import { AGENT_SESSION_RESULT_TYPE } from './AgentSessionSearchResultListItem';

/** Renders `agent-session` results on the search page (new frontend system). */
export const agentSessionSearchResultListItem = SearchResultListItemBlueprint.make({
  name: 'agent-session',
  params: {
    icon: <DeveloperBoardIcon />,
    predicate: result => result.type === AGENT_SESSION_RESULT_TYPE,
    component: () =>
      import('./AgentSessionSearchResultListItem').then(
        m => m.AgentSessionSearchResultListItem,
      ),
  },
});

/** "Agent sessions" among the search page's result types. */
export const agentSessionSearchResultType = SearchFilterResultTypeBlueprint.make({
  name: 'agent-session',
  params: {
    value: AGENT_SESSION_RESULT_TYPE,
    name: 'Agent sessions',
    icon: <DeveloperBoardIcon />,
  },
});
