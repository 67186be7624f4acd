// The API's types live with the shared client; the frontend's public names stay as they were.
export type {
  AgentsCreateSessionRequest,
  AgentsFanOutChildren,
  AgentsHarnessName,
  AgentsHarnessRun,
  AgentsLaunchOptions,
  AgentsLaunchPolicy,
  AgentsListSessionsQuery,
  AgentsLogLine,
  AgentsLogStreamEvent,
  AgentsSession,
  AgentsSessionKind,
  AgentsSessionPage,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
  AgentsUsage,
} from '@backstage-agents/plugin-agents-common';
