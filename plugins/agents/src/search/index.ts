export {
  AgentSessionSearchResultListItem,
  AGENT_SESSION_RESULT_TYPE,
} from './AgentSessionSearchResultListItem';
export type {
  AgentSessionSearchResultListItemProps,
  AgentSessionSearchDocument,
} from './AgentSessionSearchResultListItem';
