import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AgentsCreateSessionRequest,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsLogStreamOptions,
  AgentsSessionPage,
  AgentsSessionWithRuns,
  AgentsUsageStatistics,
  AgentsUsageStatisticsQuery,
} from '@backstage-agents/plugin-agents-common';

export type { AgentsLogStreamOptions };

/**
 * The agents backend's HTTP API (`/api/agents`), as the frontend uses it: the methods of the shared
 * `AgentsClient` of `@backstage-agents/plugin-agents-common`. Failed requests reject with a
 * `ResponseError` from `@backstage/errors` that carries the server's error body.
 *
 * @public
 */
export interface AgentsApi {
  /** A page of sessions the caller may read, newest first. */
  listSessions(query: AgentsListSessionsQuery): Promise<AgentsSessionPage>;
  /** A session with its runs. */
  getSession(id: string): Promise<AgentsSessionWithRuns>;
  /** Starts a session. */
  createSession(
    request: AgentsCreateSessionRequest,
  ): Promise<AgentsSessionWithRuns>;
  /** Cancels a session that has not finished. */
  cancelSession(id: string): Promise<AgentsSessionWithRuns>;
  /** Resumes a finished session with a follow-up prompt. */
  resumeSession(id: string, prompt: string): Promise<AgentsSessionWithRuns>;
  /** The policy that applies to a new session on the entity, and whether the caller may start one. */
  getLaunchOptions(
    entityRef: string,
    options?: { templateRef?: string },
  ): Promise<AgentsLaunchOptions>;
  /** Statistics of the agent sessions the user may read (default: the last 30 days). */
  getUsageStatistics(
    query?: AgentsUsageStatisticsQuery,
  ): Promise<AgentsUsageStatistics>;
  /**
   * Follows a session's log (Server-Sent Events) from the line after `after`, calling `onEvent` for
   * each event. Resolves when the stream closes: after an `end` event, when the connection drops, or
   * when `signal` aborts. Reconnect with the last seq received to continue without gap or duplicate.
   */
  streamLogs(sessionId: string, options: AgentsLogStreamOptions): Promise<void>;
}

/** The {@link AgentsApi} reference. @public */
export const agentsApiRef = createApiRef<AgentsApi>({
  id: 'plugin.agents.service',
});
