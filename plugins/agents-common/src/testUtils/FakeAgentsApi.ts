import { parseEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AgentsCreateSessionRequest,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsSession,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
} from '../client/types';
import { SESSION_LIMITS } from '../limits';
import { normalizeEntityRef } from '../normalizeEntityRef';
import { isTerminalStatus } from '../statusModel';
import {
  agentsApiSpec,
  type AgentsOperationId,
  type SpecRoute,
} from './agentsApiSpec';
import { FakeLogStream } from './FakeLogStream';
import { toNodeHandler } from './nodeAdapter';
import {
  DEFAULT_LAUNCH_OPTIONS,
  makeSession,
  runId,
  sessionId,
} from './sessionFixtures';

/** A request the fake answered, as the OpenAPI document reads it. @public */
export type FakeAgentsRequest = {
  operation: AgentsOperationId;
  method: string;
  /** The path under the API's base URL, e.g. `/sessions/<id>`. */
  path: string;
  pathParams: Record<string, string>;
  /** The query, its values of the types the document declares (`limit` is a number). */
  query: Record<string, unknown>;
  body?: unknown;
  authorization?: string;
  lastEventId?: string;
};

/** An answer a test gives in place of the fake's own. @public */
export type FakeAgentsReply = { status: number; body?: unknown };

/** Answers a request in place of the fake, or returns nothing to let it answer. @public */
export type FakeAgentsInterceptor = (
  request: FakeAgentsRequest,
) => FakeAgentsReply | undefined | void;

/** Where the API is served under an origin, as Backstage serves a plugin's routes. */
const BASE_PATH = '/api/agents';

/** The status that each error of `@backstage/errors` the fake throws answers with. */
const ERROR_STATUS: Record<string, number> = {
  InputError: 400,
  NotFoundError: 404,
  ConflictError: 409,
};

/** A Backstage error body. @public */
export function errorReply(
  status: number,
  name: string,
  message: string,
): FakeAgentsReply {
  return {
    status,
    body: { error: { name, message }, response: { statusCode: status } },
  };
}

/** A fan-out's status as the backend derives it from its children's. */
function fanOutStatus(children: AgentsSession[]): AgentsSessionStatus {
  if (children.every(c => c.status === 'pending')) return 'pending';
  if (children.some(c => !isTerminalStatus(c.status))) return 'running';
  if (children.some(c => c.status === 'failed' || c.status === 'timed_out'))
    return 'failed';
  if (children.some(c => c.status === 'cancelled')) return 'cancelled';
  return 'succeeded';
}

/**
 * An in-memory agents backend that serves the session routes of the agents API's OpenAPI document,
 * and checks both ways against it: a request the document does not allow is answered 400, as the
 * backend's validator would, and an answer of the fake (or of a test's `intercept`) that the document
 * does not allow becomes a 500 `SpecViolation`, recorded in `violations`. A fake that drifts from the
 * API fails the tests that use it.
 *
 * Use it without a socket through `fetch` (with `discoveryApi`), or over HTTP after `listen()`, or
 * mount `handler` in an express router or a Backstage plugin's `httpRouter`.
 *
 * @public
 */
export class FakeAgentsApi {
  /** The sessions, newest first. */
  sessions: AgentsSessionWithRuns[];
  launchOptions: AgentsLaunchOptions = DEFAULT_LAUNCH_OPTIONS;
  /** The most sessions one page holds, whatever `limit` asks for. */
  maxPageSize: number = SESSION_LIMITS.maxPageSize;
  /** Who calls: the creator of new sessions, and who `createdBy=me` means. */
  caller = 'user:default/guest';
  /** Every request that reached a route, in order. */
  readonly requests: FakeAgentsRequest[] = [];
  /** Every log stream requested, in order. */
  readonly streams: FakeLogStream[] = [];
  /** Answers of the fake that the OpenAPI document does not allow. */
  readonly violations: string[] = [];
  /** Called for each new log stream, e.g. to open it and send lines at once. */
  onStream?: (stream: FakeLogStream) => void;

  private readonly interceptors: Array<{
    operation: AgentsOperationId;
    handler: FakeAgentsInterceptor;
  }> = [];
  private readonly idempotencyKeys = new Map<string, string>();
  /** Numbers the runs that resumes add. */
  private resumes = 0;
  private origin = 'http://agents.test';
  private server?: Server;

  /** `sessions`: the sessions, newest first, or how many to make with `makeSession`. */
  constructor(sessions: number | AgentsSessionWithRuns[] = 0) {
    this.sessions =
      typeof sessions === 'number'
        ? Array.from({ length: sessions }, (_, i) => makeSession(sessions - i))
        : sessions;
  }

  /** Finds the agents API: on the fake's own origin, or on its server after `listen()`. */
  readonly discoveryApi = {
    getBaseUrl: async (pluginId: string) => `${this.origin}/api/${pluginId}`,
  };

  /** A fetch that the fake answers, without a socket. */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const { signal } = request;
    signal.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      // A request the test has not answered yet (a log stream) ends with the client's abort.
      signal.addEventListener('abort', () => reject(signal.reason));
      this.handle(request).then(resolve, reject);
    });
  };

  /** The fake as a Node.js request listener, for an express router or `httpRouter.use`. */
  readonly handler = toNodeHandler(request => this.handle(request));

  /** Serves the fake on a local port; `discoveryApi` then points at it. */
  async listen(): Promise<void> {
    const server = createServer(this.handler);
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** Stops the server `listen()` started, dropping open log streams. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }

  /** Throws when the fake answered something the OpenAPI document does not allow: for `afterEach`. */
  assertNoViolations(): void {
    if (this.violations.length > 0) {
      throw new Error(
        `The fake of the agents API broke its OpenAPI document:\n${this.violations.join(
          '\n',
        )}`,
      );
    }
  }

  /** The requests of one operation, in order. */
  requestsOf(operation: AgentsOperationId): FakeAgentsRequest[] {
    return this.requests.filter(r => r.operation === operation);
  }

  /** Runs `handler` before the fake answers `operation`; returns a function that removes it. */
  intercept(
    operation: AgentsOperationId,
    handler: FakeAgentsInterceptor,
  ): () => void {
    const entry = { operation, handler };
    this.interceptors.push(entry);
    return () => {
      this.interceptors.splice(this.interceptors.indexOf(entry), 1);
    };
  }

  /** Answers every request of `operation` with an error in Backstage's format. */
  fail(
    operation: AgentsOperationId,
    status: number,
    name: string,
    message: string,
  ): () => void {
    return this.intercept(operation, () => errorReply(status, name, message));
  }

  /** Replaces the session with the same id. */
  replace(session: AgentsSessionWithRuns): void {
    this.sessions = this.sessions.map(s => (s.id === session.id ? session : s));
  }

  /** Adds a fan-out made with `makeFanOut` in front: its children newest first, then it. */
  addFanOut(fanOut: {
    fanOut: AgentsSessionWithRuns;
    children: AgentsSessionWithRuns[];
  }): void {
    this.sessions = [
      ...[...fanOut.children].reverse(),
      fanOut.fanOut,
      ...this.sessions,
    ];
  }

  /** Answers one request. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(`${BASE_PATH}/`)
      ? url.pathname.slice(BASE_PATH.length)
      : url.pathname;
    const route = agentsApiSpec().routes.find(
      r => r.method === request.method && r.pattern.test(path),
    );
    if (!route) {
      return this.respond(
        undefined,
        errorReply(
          404,
          'NotFoundError',
          `The agents API has no route ${request.method} ${path}`,
        ),
      );
    }
    const match = route.pattern.exec(path)!;
    const recorded: FakeAgentsRequest = {
      operation: route.operationId,
      method: request.method,
      path,
      pathParams: Object.fromEntries(
        route.pathParameters.map((name, i) => [
          name,
          decodeURIComponent(match[i + 1]),
        ]),
      ),
      query: Object.fromEntries(url.searchParams),
      authorization: request.headers.get('authorization') ?? undefined,
      lastEventId: request.headers.get('last-event-id') ?? undefined,
    };
    let problem: string | undefined;
    if (route.checkBody) {
      const text = await request.text();
      try {
        recorded.body = text ? JSON.parse(text) : undefined;
      } catch {
        problem = 'the body is not JSON';
      }
    }
    this.requests.push(recorded);
    problem ??=
      route.checkPath(recorded.pathParams) ??
      route.checkQuery(recorded.query) ??
      (route.bodyRequired && recorded.body === undefined
        ? 'the body is required'
        : undefined) ??
      (recorded.body !== undefined
        ? route.checkBody?.(recorded.body)
        : undefined);
    if (problem) {
      return this.respond(
        route,
        errorReply(400, 'InputError', `Request validation failed: ${problem}`),
      );
    }
    for (const { operation, handler } of [...this.interceptors]) {
      if (operation !== route.operationId) continue;
      const reply = handler(recorded);
      if (reply) return this.respond(route, reply);
    }
    try {
      return await this.answer(route, recorded);
    } catch (error) {
      const { name, message } = error as Error;
      if (!(name in ERROR_STATUS)) throw error;
      return this.respond(route, errorReply(ERROR_STATUS[name], name, message));
    }
  }

  private async answer(
    route: SpecRoute,
    request: FakeAgentsRequest,
  ): Promise<Response> {
    const ok = (body: unknown, status = 200) =>
      this.respond(route, { status, body });
    const id = request.pathParams.id;
    switch (route.operationId) {
      case 'ListSessions':
        return ok(this.list(request.query as AgentsListSessionsQuery));
      case 'GetSession':
        return ok(this.get(id));
      case 'CreateSession':
        return this.create(route, request.body as AgentsCreateSessionRequest);
      case 'CancelSession':
        return ok(this.cancel(id));
      case 'ResumeSession':
        return ok(this.resume(id, (request.body as { prompt: string }).prompt));
      case 'GetLaunchOptions':
        return ok(this.launchOptions);
      case 'StreamSessionLogs': {
        const session = this.get(id);
        const after =
          (request.query.after as number | undefined) ??
          Number(request.lastEventId ?? 0);
        const stream = new FakeLogStream(
          id,
          after,
          session.runs.at(-1)?.id,
          agentsApiSpec(),
          (status, name, message) =>
            this.respond(route, errorReply(status, name, message)),
        );
        this.streams.push(stream);
        this.onStream?.(stream);
        return stream.response;
      }
      default:
        return this.respond(
          route,
          errorReply(
            501,
            'NotImplementedError',
            `The fake does not serve ${route.operationId}`,
          ),
        );
    }
  }

  /** Sends a reply, after checking it against the document. */
  private respond(
    route: SpecRoute | undefined,
    reply: FakeAgentsReply,
  ): Response {
    // What goes over the wire: undefined properties are left out.
    const body =
      reply.body === undefined
        ? undefined
        : JSON.parse(JSON.stringify(reply.body));
    const problem = route?.checkResponse(reply.status)?.(body);
    if (problem) {
      const violation = `${route!.operationId} answered ${
        reply.status
      } with a body the OpenAPI document does not allow: ${problem}`;
      this.violations.push(violation);
      return this.respond(
        undefined,
        errorReply(500, 'SpecViolation', violation),
      );
    }
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status: reply.status,
      statusText: STATUS_CODES[reply.status],
      headers:
        body === undefined
          ? {}
          : { 'Content-Type': 'application/json; charset=utf-8' },
    });
  }

  private get(id: string): AgentsSessionWithRuns {
    const session = this.sessions.find(s => s.id === id);
    if (!session) throw new NotFoundError(`Session ${id} not found`);
    return this.derived(session);
  }

  private list(query: AgentsListSessionsQuery) {
    const statuses = query.status?.split(',');
    const entityRef = query.entityRef && normalizeEntityRef(query.entityRef);
    const createdBy =
      query.createdBy === 'me'
        ? this.caller
        : query.createdBy &&
          normalizeEntityRef(query.createdBy, 'user', 'createdBy');
    let items = this.sessions
      .map(s => this.derived(s))
      .filter(
        s =>
          (!entityRef || s.entityRef === entityRef) &&
          (!query.parentSessionId ||
            s.parentSessionId === query.parentSessionId) &&
          (!statuses || statuses.includes(s.status)) &&
          (!createdBy || s.createdBy === createdBy),
      );
    if (query.cursor) {
      const index = items.findIndex(s => s.id === query.cursor);
      if (index < 0) throw new InputError(`Malformed cursor '${query.cursor}'`);
      items = items.slice(index + 1);
    }
    const limit = Math.min(
      query.limit ?? SESSION_LIMITS.defaultPageSize,
      this.maxPageSize,
    );
    const page = items.slice(0, limit);
    return {
      items: page.map(({ runs: _runs, ...session }) => session),
      ...(items.length > limit ? { nextCursor: page[page.length - 1].id } : {}),
    };
  }

  private create(
    route: SpecRoute,
    request: AgentsCreateSessionRequest,
  ): Response {
    const existing =
      request.idempotencyKey &&
      this.idempotencyKeys.get(request.idempotencyKey);
    if (existing)
      return this.respond(route, { status: 200, body: this.get(existing) });
    const taken = new Set(this.sessions.map(s => s.id));
    let n = this.sessions.length + 1;
    while (taken.has(sessionId(n))) n++;
    const id = sessionId(n);
    const kind = request.kind ?? 'agent';
    const entityRef = normalizeEntityRef(request.entityRef);
    const now = new Date().toISOString();
    const session: AgentsSessionWithRuns = {
      id,
      kind,
      entityRef,
      // The fake has no catalog: every entity's repository is named after it.
      repoUrl: `https://github.com/example-org/${
        parseEntityRef(entityRef).name
      }`,
      workBranch: request.workBranch ?? `agents/${id}`,
      harness: request.harness ?? this.launchOptions.policy.defaultHarness,
      prompt: request.prompt,
      policy: { name: this.launchOptions.policy.name, snapshot: {} },
      origin: {
        kind: request.origin ?? (request.templateRef ? 'scaffolder' : 'api'),
        ...(request.templateRef ? { templateRef: request.templateRef } : {}),
        ...(request.taskId ? { taskId: request.taskId } : {}),
      },
      createdBy: this.caller,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      ...(request.parentSessionId
        ? { parentSessionId: request.parentSessionId }
        : {}),
      runs:
        kind === 'fanout'
          ? []
          : [
              {
                id: runId(n),
                sessionId: id,
                attempt: 1,
                kind: 'initial',
                prompt: request.prompt,
                phase: 'pending',
                createdAt: now,
              },
            ],
    };
    this.sessions.unshift(session);
    if (request.idempotencyKey)
      this.idempotencyKeys.set(request.idempotencyKey, id);
    return this.respond(route, { status: 201, body: session });
  }

  private cancel(id: string): AgentsSessionWithRuns {
    const session = this.get(id);
    if (isTerminalStatus(session.status)) {
      throw new ConflictError(
        `Session ${id} has finished (${session.status}); there is nothing to cancel`,
      );
    }
    const now = new Date().toISOString();
    const cancelled = (s: AgentsSessionWithRuns): AgentsSessionWithRuns => ({
      ...s,
      status: 'cancelled',
      finishedAt: now,
      runs: s.runs.map(r =>
        isTerminalStatus(r.phase)
          ? r
          : { ...r, phase: 'cancelled', finishedAt: now },
      ),
    });
    if (session.kind === 'fanout') {
      // Cancelling a fan-out cancels its unfinished children; its status follows.
      for (const child of this.sessions.filter(s => s.parentSessionId === id)) {
        if (!isTerminalStatus(child.status)) this.replace(cancelled(child));
      }
      return this.get(id);
    }
    this.replace(cancelled(session));
    return this.get(id);
  }

  private resume(id: string, prompt: string): AgentsSessionWithRuns {
    const session = this.get(id);
    if (session.kind === 'fanout') {
      throw new ConflictError(
        'A fan-out session cannot be resumed; resume its sessions instead',
      );
    }
    if (!isTerminalStatus(session.status)) {
      throw new ConflictError(
        `Session ${id} is ${session.status}; only a finished session can be resumed`,
      );
    }
    this.resumes += 1;
    this.replace({
      ...session,
      status: 'pending',
      finishedAt: undefined,
      runs: [
        ...session.runs,
        {
          id: `00000000-0000-4000-b000-${String(this.resumes).padStart(
            12,
            '0',
          )}`,
          sessionId: id,
          attempt: session.runs.length + 1,
          kind: 'resume',
          prompt,
          phase: 'pending',
          createdAt: new Date().toISOString(),
        },
      ],
    });
    return this.get(id);
  }

  /** A fan-out's status and child counts follow its children, as the backend computes them. */
  private derived(session: AgentsSessionWithRuns): AgentsSessionWithRuns {
    if (session.kind !== 'fanout') return session;
    const children = this.sessions.filter(
      s => s.parentSessionId === session.id,
    );
    const byStatus: Record<string, number> = {};
    for (const child of children)
      byStatus[child.status] = (byStatus[child.status] ?? 0) + 1;
    return {
      ...session,
      status: fanOutStatus(children),
      children: { total: children.length, byStatus },
    };
  }
}
