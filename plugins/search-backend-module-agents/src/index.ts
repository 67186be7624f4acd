/**
 * A search backend module that indexes Agents for Backstage sessions (`type: agent-session`).
 *
 * @packageDocumentation
 */

export { searchModuleAgentsCollator as default } from './module';
export { DEFAULT_SCHEDULE, SCHEDULE_CONFIG_KEY } from './module';
export { AgentSessionCollatorFactory } from './collator/AgentSessionCollatorFactory';
export type { AgentSessionCollatorFactoryOptions } from './collator/AgentSessionCollatorFactory';
export {
  AGENT_SESSION_DOCUMENT_TYPE,
  toAgentSessionDocument,
} from './collator/AgentSessionDocument';
export type { AgentSessionDocument } from './collator/AgentSessionDocument';
