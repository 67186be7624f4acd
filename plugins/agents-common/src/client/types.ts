import type { components, operations } from '../generated/openapi';

type Schemas = components['schemas'];

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
/**
 * Tokens a run (or a session's runs together) used, and their cost in US dollars where the harness
 * had a configured price. @public
 */
export type AgentsUsage = Schemas['Usage'];
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
  operations['ListSessions']['parameters']['query']
>;
/**
 * Statistics of the agent sessions the caller may read over a range of days (`GET /usage`): per day,
 * by status, success rate, run time percentiles, tokens and cost, and the busiest entities. @public
 */
export type AgentsUsageStatistics = Schemas['UsageStatistics'];
/** Tokens and cost summed over runs, in {@link AgentsUsageStatistics}. @public */
export type AgentsUsageTotals = Schemas['UsageTotals'];
/** The query of `GET /usage`. @public */
export type AgentsUsageStatisticsQuery = NonNullable<
  operations['GetUsageStatistics']['parameters']['query']
>;
/** A harness name. @public */
export type AgentsHarnessName = Schemas['HarnessName'];
/** A session or run status. @public */
export type AgentsSessionStatus = Schemas['SessionStatus'];
/** An error body of the agents API, in Backstage's format. @public */
export type AgentsErrorBody = Schemas['Error'];

/** One line of a session's log, as carried by a `log` event of the log stream. @public */
export type AgentsLogLine = Schemas['LogLine'];

/**
 * An event of a session's log stream (`GET /sessions/{id}/logs`): a line, a status change, or the end
 * of a finished session's log.
 *
 * @public
 */
export type AgentsLogStreamEvent =
  | { type: 'log'; line: AgentsLogLine }
  | { type: 'status'; status: AgentsSessionStatus }
  | ({ type: 'end' } & Schemas['LogEndEvent']);

/**
 * Options of every request. Backend callers pass a token (e.g. a plugin request token from
 * `AuthService`); frontend callers leave it out and let `fetchApi` add the user's.
 *
 * @public
 */
export type AgentsRequestOptions = {
  token?: string;
};

/** Options of {@link AgentsClient.streamLogs}. @public */
export type AgentsLogStreamOptions = AgentsRequestOptions & {
  /** The seq of the last line the caller already has; 0 for the whole log. */
  after: number;
  /** Closes the stream. */
  signal?: AbortSignal;
  /** Called once the server has accepted the stream. */
  onOpen?: () => void;
  /** Called for every event, in order. */
  onEvent: (event: AgentsLogStreamEvent) => void;
};

/** Options of {@link AgentsClient.followLogs}. @public */
export type AgentsFollowLogsOptions = AgentsRequestOptions & {
  /** The seq of the last line the caller already has; 0 (the default) for the whole log. */
  after?: number;
  /** Stops following: the iteration ends without an error. */
  signal?: AbortSignal;
  /** The wait before reconnecting after a drop, doubled on each failed attempt (default 1 s). */
  retryDelayMs?: number;
  /** The longest wait between reconnects (default 15 s). */
  maxRetryDelayMs?: number;
};
