import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { AgentsApiOperations } from '@backstage-agents/plugin-agents-common';
import type { AgentsApi, AgentsLogStreamOptions } from './AgentsApi';
import { SseParser, type SseMessage } from './sse';
import type {
  AgentsCreateSessionRequest,
  AgentsListSessionsQuery,
  AgentsLogStreamEvent,
} from './types';

/** The operations of the session API; the bundle routes are for harness pods, not for the UI. */
type Operation = Exclude<keyof AgentsApiOperations, 'UploadRunBundle' | 'DownloadRunBundle'>;

/** The JSON body of an operation's response, as the OpenAPI document describes it. */
type JsonResponse<
  O extends Operation,
  S extends keyof AgentsApiOperations[O]['responses'] = 200,
> = AgentsApiOperations[O]['responses'][S] extends {
  content: { 'application/json': infer T };
}
  ? T
  : never;

/** The JSON request body of an operation. */
type JsonRequest<O extends Operation> = AgentsApiOperations[O] extends {
  requestBody: { content: { 'application/json': infer T } };
}
  ? T
  : never;

/**
 * The {@link AgentsApi} over HTTP: `fetchApi` adds the user's Backstage token, `discoveryApi` finds the
 * agents backend. Request and response types come from the backend's OpenAPI document.
 *
 * @public
 */
export class AgentsClient implements AgentsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listSessions(
    query: AgentsListSessionsQuery,
  ): Promise<JsonResponse<'ListSessions'>> {
    return this.json(`/sessions${toQueryString(query)}`);
  }

  async getSession(id: string): Promise<JsonResponse<'GetSession'>> {
    return this.json(`/sessions/${encodeURIComponent(id)}`);
  }

  async createSession(
    request: AgentsCreateSessionRequest,
  ): Promise<JsonResponse<'CreateSession', 201>> {
    const body: JsonRequest<'CreateSession'> = request;
    return this.json('/sessions', { method: 'POST', body });
  }

  async cancelSession(id: string): Promise<JsonResponse<'CancelSession'>> {
    return this.json(`/sessions/${encodeURIComponent(id)}/cancel`, {
      method: 'POST',
    });
  }

  async resumeSession(
    id: string,
    prompt: string,
  ): Promise<JsonResponse<'ResumeSession'>> {
    const body: JsonRequest<'ResumeSession'> = { prompt };
    return this.json(`/sessions/${encodeURIComponent(id)}/resume`, {
      method: 'POST',
      body,
    });
  }

  async getLaunchOptions(
    entityRef: string,
    options?: { templateRef?: string },
  ): Promise<JsonResponse<'GetLaunchOptions'>> {
    const query: NonNullable<
      AgentsApiOperations['GetLaunchOptions']['parameters']['query']
    > = { entityRef, templateRef: options?.templateRef };
    return this.json(`/launch-options${toQueryString(query)}`);
  }

  async streamLogs(
    sessionId: string,
    options: AgentsLogStreamOptions,
  ): Promise<void> {
    const { after, signal, onEvent, onOpen } = options;
    const url = `${await this.baseUrl()}/sessions/${encodeURIComponent(
      sessionId,
    )}/logs?after=${after}`;
    let response: Response;
    try {
      response = await this.fetchApi.fetch(url, {
        headers: { Accept: 'text/event-stream' },
        cache: 'no-store',
        signal,
      });
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    if (!response.body) {
      throw new Error('The log stream response has no body');
    }
    onOpen?.();
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    const parser = new SseParser(message => {
      const event = toLogStreamEvent(message);
      if (event) onEvent(event);
    });
    const abort = () => reader.cancel().catch(() => {});
    signal?.addEventListener('abort', abort);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      parser.push(decoder.decode());
      parser.end();
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  private async baseUrl() {
    return this.discoveryApi.getBaseUrl('agents');
  }

  private async json<T>(
    path: string,
    init?: { method: 'POST'; body?: unknown },
  ): Promise<T> {
    const response = await this.fetchApi.fetch(
      `${await this.baseUrl()}${path}`,
      {
        method: init?.method ?? 'GET',
        ...(init?.body !== undefined
          ? {
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(init.body),
            }
          : {}),
      },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function toQueryString(query: Record<string, string | number | undefined>) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Maps the backend's SSE frames (see the OpenAPI document's StreamSessionLogs) to typed events. */
export function toLogStreamEvent(
  message: SseMessage,
): AgentsLogStreamEvent | undefined {
  let data: any;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  switch (message.event) {
    case 'log':
      if (typeof data?.seq !== 'number') return undefined;
      return {
        type: 'log',
        line: {
          seq: data.seq,
          runId: String(data.runId ?? ''),
          timestamp: String(data.timestamp ?? ''),
          line: String(data.line ?? ''),
        },
      };
    case 'status':
      return typeof data?.status === 'string'
        ? { type: 'status', status: data.status }
        : undefined;
    case 'end':
      return {
        type: 'end',
        status: data?.status,
        lastSeq: typeof data?.lastSeq === 'number' ? data.lastSeq : undefined,
      };
    default:
      return undefined;
  }
}
