import { ResponseError } from '@backstage/errors';
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import { fetchWithPlainInit } from './fetchWithPlainInit';
import type { paths } from '../generated/openapi';
import { followLogStream } from './followLogStream';
import { readLogEvents } from './logEvents';
import type {
  AgentsCreateSessionRequest,
  AgentsFollowLogsOptions,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsLogStreamEvent,
  AgentsLogStreamOptions,
  AgentsRequestOptions,
  AgentsSessionPage,
  AgentsSessionWithRuns,
  AgentsUsageStatistics,
  AgentsUsageStatisticsQuery,
} from './types';

/** What {@link AgentsClient} is built from: Backstage's discovery and, optionally, fetch APIs. @public */
export type AgentsClientOptions = {
  discoveryApi: { getBaseUrl(pluginId: string): Promise<string> };
  /** Defaults to the global fetch. In the browser, pass the app's fetchApi: it adds the user's token. */
  fetchApi?: { fetch: typeof fetch };
};

/** Turns every answer other than 2xx into a `ResponseError` that carries the server's error body. */
const rejectErrors: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return undefined;
  },
};

/**
 * The agents backend's REST API (`/api/agents`), typed from its OpenAPI document, for the browser,
 * backend plugins and the command line alike. Failed requests reject with a `ResponseError` from
 * `@backstage/errors`.
 *
 * @public
 */
export class AgentsClient {
  private readonly discoveryApi: AgentsClientOptions['discoveryApi'];
  private readonly client: Client<paths>;

  constructor(options: AgentsClientOptions) {
    this.discoveryApi = options.discoveryApi;
    const fetchApi = options.fetchApi;
    this.client = createClient<paths>({
      // Looked up per call, so that a global fetch replaced after construction (tests, polyfills) is used.
      fetch: fetchWithPlainInit(() => fetchApi?.fetch ?? globalThis.fetch),
    });
    this.client.use(rejectErrors);
  }

  /** A page of sessions the caller may read, newest first. */
  async listSessions(
    query: AgentsListSessionsQuery = {},
    options?: AgentsRequestOptions,
  ): Promise<AgentsSessionPage> {
    return body(
      await this.client.request('get', '/sessions', {
        ...(await this.init(options)),
        // An empty filter means no filter.
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  /** A session with its runs. */
  async getSession(
    id: string,
    options?: AgentsRequestOptions,
  ): Promise<AgentsSessionWithRuns> {
    return body(
      await this.client.request('get', '/sessions/{id}', {
        ...(await this.init(options)),
        params: { path: { id } },
      }),
    );
  }

  /** Starts a session; with an idempotency key already used, answers the session it started. */
  async createSession(
    request: AgentsCreateSessionRequest,
    options?: AgentsRequestOptions,
  ): Promise<AgentsSessionWithRuns> {
    return body(
      await this.client.request('post', '/sessions', {
        ...(await this.init(options)),
        body: request,
      }),
    );
  }

  /** Cancels a session that has not finished. */
  async cancelSession(
    id: string,
    options?: AgentsRequestOptions,
  ): Promise<AgentsSessionWithRuns> {
    return body(
      await this.client.request('post', '/sessions/{id}/cancel', {
        ...(await this.init(options)),
        params: { path: { id } },
      }),
    );
  }

  /** Resumes a finished session with a follow-up prompt. */
  async resumeSession(
    id: string,
    prompt: string,
    options?: AgentsRequestOptions,
  ): Promise<AgentsSessionWithRuns> {
    return body(
      await this.client.request('post', '/sessions/{id}/resume', {
        ...(await this.init(options)),
        params: { path: { id } },
        body: { prompt },
      }),
    );
  }

  /** Statistics of the agent sessions the caller may read; the last 30 days unless `from`/`to` say otherwise. */
  async getUsageStatistics(
    query: AgentsUsageStatisticsQuery = {},
    options?: AgentsRequestOptions,
  ): Promise<AgentsUsageStatistics> {
    return body(
      await this.client.request('get', '/usage', {
        ...(await this.init(options)),
        params: { query: withoutEmpty(query) },
      }),
    );
  }

  /** The policy that applies to a new session on the entity, and whether the caller may start one. */
  async getLaunchOptions(
    entityRef: string,
    options?: AgentsRequestOptions & { templateRef?: string },
  ): Promise<AgentsLaunchOptions> {
    return body(
      await this.client.request('get', '/launch-options', {
        ...(await this.init(options)),
        params: {
          query: withoutEmpty({ entityRef, templateRef: options?.templateRef }),
        },
      }),
    );
  }

  /**
   * Reads a session's log (Server-Sent Events) over one connection, from the line after `after`,
   * calling `onEvent` for each event. Resolves when the stream closes: after an `end` event, when the
   * connection drops, or when `signal` aborts. Reconnect with the last seq received to continue
   * without gap or duplicate, or use {@link AgentsClient.followLogs}, which does so.
   */
  async streamLogs(
    sessionId: string,
    options: AgentsLogStreamOptions,
  ): Promise<void> {
    const { signal, onOpen, onEvent } = options;
    try {
      const events = await this.openLogStream(sessionId, options);
      onOpen?.();
      for await (const event of events) onEvent(event);
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
  }

  /**
   * Follows a session's log until its end: every line after `after` once and in order, across
   * reconnects (after a drop it continues after the last line received), with the status changes,
   * and last the `end` event of the finished session. The iteration ends quietly when `signal`
   * aborts, and rejects with a `ResponseError` when the server refuses the stream.
   */
  followLogs(
    sessionId: string,
    options: AgentsFollowLogsOptions = {},
  ): AsyncGenerator<AgentsLogStreamEvent> {
    return followLogStream(
      after => this.openLogStream(sessionId, { ...options, after }),
      options,
    );
  }

  private async openLogStream(
    sessionId: string,
    options: AgentsRequestOptions & { after: number; signal?: AbortSignal },
  ): Promise<AsyncGenerator<AgentsLogStreamEvent>> {
    const init = await this.init(options);
    const { data } = await this.client.request('get', '/sessions/{id}/logs', {
      ...init,
      params: { path: { id: sessionId }, query: { after: options.after } },
      headers: { ...init.headers, Accept: 'text/event-stream' },
      parseAs: 'stream',
      cache: 'no-store',
      signal: options.signal,
    });
    if (!data) throw new Error('The log stream response has no body');
    return readLogEvents(data, options.signal);
  }

  private async init(options?: AgentsRequestOptions) {
    return {
      baseUrl: await this.discoveryApi.getBaseUrl('agents'),
      headers: options?.token
        ? { Authorization: `Bearer ${options.token}` }
        : undefined,
    };
  }
}

/** The body of a successful answer; the spec gives every operation used here a JSON body. */
function body<T>(result: { data?: T; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(
      `The agents backend answered ${result.response.status} without a body`,
    );
  }
  return result.data;
}

function withoutEmpty<T extends Record<string, unknown>>(query: T): T {
  return Object.fromEntries(
    Object.entries(query).filter(([, v]) => v !== undefined && v !== ''),
  ) as T;
}
