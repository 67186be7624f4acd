import { createServer, STATUS_CODES, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  AgentsCreateSessionRequest,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsLogLine,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
  AgentsUsageStatisticsQuery,
} from '../client/types';
import { isTerminalStatus } from '../statusModel';
import {
  agentsApiSpec,
  type AgentsOperationId,
  type SpecRoute,
} from './agentsApiSpec';
import { ERROR_STATUS, errorReply, type FakeAgentsReply } from './fakeReplies';
import { FakeLogStream } from './FakeLogStream';
import { FakeSessions } from './FakeSessions';
import { fakeUsageStatistics } from './fakeUsage';
import { toNodeHandler } from './nodeAdapter';

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

/** Answers a request in place of the fake, or returns nothing to let it answer. @public */
export type FakeAgentsInterceptor = (
  request: FakeAgentsRequest,
) => FakeAgentsReply | undefined | void;

/** Where the API is served under an origin, as Backstage serves a plugin's routes. */
const BASE_PATH = '/api/agents';

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
  /** The sessions and what the API does to them. */
  readonly model: FakeSessions;
  /** Every request that reached a route, in order. */
  readonly requests: FakeAgentsRequest[] = [];
  /** Every log stream requested, in order. */
  readonly streams: FakeLogStream[] = [];
  /** Answers of the fake that the OpenAPI document does not allow. */
  readonly violations: string[] = [];
  /** Called for each new log stream, e.g. to open it and send lines at once. */
  onStream?: (stream: FakeLogStream) => void;

  /** The log lines `playTask` and `finishTask` wrote, by session, for `serveLogs`. */
  private readonly logs = new Map<string, AgentsLogLine[]>();
  private serving = false;

  private readonly interceptors: Array<{
    operation: AgentsOperationId;
    handler: FakeAgentsInterceptor;
  }> = [];
  private origin = 'http://agents.test';
  private server?: Server;

  /** `sessions`: the sessions, newest first, or how many to make with `makeSession`. */
  constructor(sessions: number | AgentsSessionWithRuns[] = 0) {
    this.model = new FakeSessions(sessions);
  }

  /** The sessions, newest first. */
  get sessions(): AgentsSessionWithRuns[] {
    return this.model.sessions;
  }
  set sessions(sessions: AgentsSessionWithRuns[]) {
    this.model.sessions = sessions;
  }

  get launchOptions(): AgentsLaunchOptions {
    return this.model.launchOptions;
  }
  set launchOptions(options: AgentsLaunchOptions) {
    this.model.launchOptions = options;
  }

  /**
   * Launch options per entity ref. While empty, every entity gets `launchOptions`; once set, an
   * entity missing from it is not in the catalog (404), as the backend answers.
   */
  readonly entityLaunchOptions = new Map<string, AgentsLaunchOptions>();

  /** The most sessions one page holds, whatever `limit` asks for. */
  get maxPageSize(): number {
    return this.model.maxPageSize;
  }
  set maxPageSize(size: number) {
    this.model.maxPageSize = size;
  }

  /** Who calls: the creator of new sessions, and who `createdBy=me` means. */
  get caller(): string {
    return this.model.caller;
  }
  set caller(caller: string) {
    this.model.caller = caller;
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
    this.model.replace(session);
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

  /**
   * Answers every log stream from now on as the backend would, from the lines `playTask` and
   * `finishTask` wrote: opens it, sends the lines after the client's cursor, and ends it when the
   * session has finished. Lines and ends written later go to the streams still open.
   */
  serveLogs(): void {
    this.serving = true;
    this.onStream = stream => {
      stream.open();
      for (const line of this.logs.get(stream.sessionId) ?? []) {
        if (line.seq > stream.after) stream.emit({ type: 'log', line });
      }
      const { status } = this.model.get(stream.sessionId);
      if (isTerminalStatus(status)) stream.end(status);
    };
  }

  /**
   * Plays part of a task's run: sets its status (e.g. `running`) and writes `lines` to its log
   * (see `serveLogs`). A status that finishes the task may end its wave, as in `finishTask`.
   */
  playTask(
    id: string,
    status: AgentsSessionStatus,
    lines: string[] = [],
    extra: Partial<Pick<AgentsSessionWithRuns, 'prUrl' | 'summary'>> = {},
  ): void {
    const session = this.model.get(id);
    const log = this.logs.get(id) ?? [];
    this.logs.set(id, log);
    const fresh = lines.map(line => {
      const entry: AgentsLogLine = {
        seq: (log.at(-1)?.seq ?? 0) + 1,
        runId: session.runs.at(-1)!.id,
        timestamp: new Date().toISOString(),
        line,
      };
      log.push(entry);
      return entry;
    });
    const before = new Map(this.sessions.map(s => [s.id, s.status]));
    this.model.setStatus(id, status, extra);
    for (const stream of this.openStreams(id)) {
      for (const line of fresh) stream.emit({ type: 'log', line });
    }
    // Tell every open stream whose session changed (a wave's end cancels the later waves' tasks).
    for (const s of this.sessions) {
      if (before.get(s.id) === s.status) continue;
      for (const stream of this.openStreams(s.id)) {
        if (isTerminalStatus(s.status)) stream.end(s.status);
        else stream.emit({ type: 'status', status: s.status });
      }
    }
  }

  /** Finishes a task with `status` after writing `lines`; see `playTask`. */
  finishTask(
    id: string,
    status: AgentsSessionStatus,
    lines: string[] = [],
    extra: Partial<Pick<AgentsSessionWithRuns, 'prUrl' | 'summary'>> = {},
  ): void {
    if (!isTerminalStatus(status)) {
      throw new Error(`${status} does not finish a task: use playTask`);
    }
    this.playTask(id, status, lines, extra);
  }

  private openStreams(sessionId: string): FakeLogStream[] {
    return this.streams.filter(
      s => s.sessionId === sessionId && s.opened && !s.closed,
    );
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
        return ok(this.model.list(request.query as AgentsListSessionsQuery));
      case 'GetSession':
        return ok(this.model.get(id));
      case 'CreateSession': {
        const { session, created } = this.model.create(
          request.body as AgentsCreateSessionRequest,
        );
        return ok(session, created ? 201 : 200);
      }
      case 'CancelSession': {
        const cancelled = ok(this.model.cancel(id));
        if (this.serving) {
          // The cancelled sessions' logs end, as the backend's do.
          for (const s of this.sessions) {
            if (s.status !== 'cancelled') continue;
            for (const stream of this.openStreams(s.id)) stream.end(s.status);
          }
        }
        return cancelled;
      }
      case 'ResumeSession':
        return ok(
          this.model.resume(id, (request.body as { prompt: string }).prompt),
        );
      case 'GetLaunchOptions': {
        if (this.entityLaunchOptions.size === 0) return ok(this.launchOptions);
        const entityRef = String(request.query.entityRef);
        const options = this.entityLaunchOptions.get(entityRef);
        if (options) return ok(options);
        return this.respond(
          route,
          errorReply(404, 'NotFoundError', `Entity ${entityRef} was not found in the catalog`),
        );
      }
      case 'GetUsageStatistics':
        return ok(
          fakeUsageStatistics(
            this.sessions,
            request.query as AgentsUsageStatisticsQuery,
          ),
        );
      case 'StreamSessionLogs': {
        const session = this.model.get(id);
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
}
