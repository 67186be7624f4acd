import type { AgentsApiComponents } from '@backstage-agents/plugin-agents-common';
import type {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';

/** A session as `GET /sessions/{id}` returns it: the agents API's own schema. */
export type AgentsSession = AgentsApiComponents['schemas']['SessionWithRuns'];

/** The body of `POST /sessions`. */
export type CreateSessionRequest = AgentsApiComponents['schemas']['CreateSessionRequest'];

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
 * The agents backend's REST API, over HTTP only, on behalf of given credentials (the template's
 * initiator): each call takes a plugin request token for `agents` issued on their behalf.
 */
export class AgentsApi {
  constructor(
    private readonly deps: {
      discovery: DiscoveryService;
      auth: AuthService;
      fetch?: typeof fetch;
    },
  ) {}

  createSession(
    body: CreateSessionRequest,
    credentials: BackstageCredentials,
  ): Promise<AgentsSession> {
    return this.request('start an agent session', 'POST', '/sessions', credentials, body);
  }

  getSession(id: string, credentials: BackstageCredentials): Promise<AgentsSession> {
    return this.request(
      `read agent session ${id}`,
      'GET',
      `/sessions/${encodeURIComponent(id)}`,
      credentials,
    );
  }

  private async request<T>(
    operation: string,
    method: string,
    path: string,
    credentials: BackstageCredentials,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.deps.discovery.getBaseUrl('agents');
    const { token } = await this.deps.auth.getPluginRequestToken({
      onBehalfOf: credentials,
      targetPluginId: 'agents',
    });
    const doFetch = this.deps.fetch ?? fetch;
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    } catch (error) {
      throw new Error(
        `Could not reach the agents backend at ${baseUrl} to ${operation}: ${(error as Error).message}`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      let name = response.statusText || 'Error';
      let message = text.trim().slice(0, 500) || '(empty response)';
      try {
        const parsed = JSON.parse(text);
        if (parsed?.error?.message) {
          name = String(parsed.error.name ?? name);
          message = String(parsed.error.message);
        }
      } catch {
        // not JSON: keep the text
      }
      throw new AgentsApiError(operation, response.status, name, message);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new Error(`The agents backend answered a request to ${operation} with something other than JSON`);
    }
  }
}
