import {
  AgentsClient,
  type AgentsCreateSessionRequest,
  type AgentsSessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/** A session as `GET /sessions/{id}` returns it: the agents API's own schema. */
export type AgentsSession = AgentsSessionWithRuns;

/** The body of `POST /sessions`. */
export type CreateSessionRequest = AgentsCreateSessionRequest;

/** An error answer of the agents backend, with its status and the body's error name and message. */
export class AgentsApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly errorName: string,
    readonly errorMessage: string,
  ) {
    super(`Agents backend refused to ${operation}: ${errorName}: ${errorMessage} (HTTP ${status})`);
    this.name = 'AgentsApiError';
  }
}

/**
 * The shared agents client, on behalf of given credentials (the template's initiator): each call
 * takes a plugin request token for `agents` issued on their behalf. Failures name the operation, for
 * the task's log.
 */
export class AgentsApi {
  private readonly client: AgentsClient;

  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {
    this.client = new AgentsClient({
      discoveryApi: deps.discovery,
      fetchApi: deps.fetch ? { fetch: deps.fetch } : undefined,
    });
  }

  createSession(
    body: CreateSessionRequest,
    credentials: BackstageCredentials,
  ): Promise<AgentsSession> {
    return this.call('start an agent session', credentials, token =>
      this.client.createSession(body, { token }),
    );
  }

  getSession(id: string, credentials: BackstageCredentials): Promise<AgentsSession> {
    return this.call(`read agent session ${id}`, credentials, token =>
      this.client.getSession(id, { token }),
    );
  }

  private async call<T>(
    operation: string,
    credentials: BackstageCredentials,
    request: (token: string) => Promise<T>,
  ): Promise<T> {
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'agents',
    });
    try {
      return await request(token);
    } catch (error) {
      if (error instanceof ResponseError) {
        throw new AgentsApiError(
          operation,
          error.statusCode,
          error.body.error.name,
          error.body.error.message,
        );
      }
      // fetch rejects with a TypeError when the request does not get through.
      if (!(error instanceof TypeError)) throw error;
      const baseUrl = await this.deps.discovery.getBaseUrl('agents');
      throw new Error(
        `Could not reach the agents backend at ${baseUrl} to ${operation}: ${(error as Error).message}`,
      );
    }
  }
}
