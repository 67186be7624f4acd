export { startFakeLlm } from './server';
export type { FakeLlm, FakeLlmOptions } from './server';
export type { RecordedRequest } from './recorder';
export {
  BLOCKED_HOST_URL,
  DEFAULT_SCENARIO,
  defaultScripts,
  editFileName,
  findMarker,
} from './scripts';
export type { Marker, Script, ScriptContext } from './scripts';
export type {
  Conversation,
  JsonSchema,
  Reply,
  ToolCall,
  ToolSpec,
} from './conversation';
export { countTokens } from './usage';
export { parseSse } from './sse';
export type { ParsedEvent } from './sse';
export {
  deadProxyEnvironment,
  networkIsolation,
  offlineCommand,
} from './offline/offlineCommand';
export type { Forward, Isolation } from './offline/offlineCommand';
export { startPortBridge } from './offline/portBridge';
export type { PortBridge } from './offline/portBridge';
export { installAgentClis } from './agentClisInstall';
export type { AgentClisInstall } from './agentClisInstall';
