import type {
  AgentsApiComponents,
  AgentsApiOperations,
} from '@backstage-agents/plugin-agents-common';

type Schemas = AgentsApiComponents['schemas'];

/** A session as the agents API returns it. @public */
export type AgentsSession = Schemas['Session'];
/** `agent` runs a harness; `fanout` runs nothing and groups the sessions that name it as parent. @public */
export type AgentsSessionKind = Schemas['SessionKind'];
/** How many of a fan-out session's children are in each status. @public */
export type AgentsFanOutChildren = NonNullable<AgentsSession['children']>;
/** A session with its runs, oldest first. @public */
export type AgentsSessionWithRuns = Schemas['SessionWithRuns'];
/** One run of the harness (a pod) in a session. @public */
export type AgentsHarnessRun = Schemas['HarnessRun'];
/** One keyset page of sessions, newest first. @public */
export type AgentsSessionPage = Schemas['SessionPage'];
/** The policy that applies to a new session on an entity, and whether the caller may start one. @public */
export type AgentsLaunchOptions = Schemas['LaunchOptions'];
/** A resolved policy. @public */
export type AgentsLaunchPolicy = Schemas['Policy'];
/** The body of `POST /sessions`. @public */
export type AgentsCreateSessionRequest = Schemas['CreateSessionRequest'];
/** The query of `GET /sessions`. @public */
export type AgentsListSessionsQuery = NonNullable<
  AgentsApiOperations['ListSessions']['parameters']['query']
>;
/** A harness name. @public */
export type AgentsHarnessName = Schemas['HarnessName'];
/** A session or run status. @public */
export type AgentsSessionStatus = Schemas['SessionStatus'];

/** One line of a session's log, as carried by a `log` event of the log stream. @public */
export type AgentsLogLine = {
  seq: number;
  runId: string;
  timestamp: string;
  line: string;
};

/**
 * An event of a session's log stream (`GET /sessions/{id}/logs`): a line, a status change, or the end
 * of a finished session's log.
 *
 * @public
 */
export type AgentsLogStreamEvent =
  | { type: 'log'; line: AgentsLogLine }
  | { type: 'status'; status: AgentsSessionStatus }
  | { type: 'end'; status?: AgentsSessionStatus; lastSeq?: number };
