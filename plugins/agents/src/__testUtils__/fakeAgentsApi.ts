import { ResponseError } from '@backstage/errors';
import type { AgentsApi, AgentsLogStreamOptions } from '../api/AgentsApi';
import type {
  AgentsCreateSessionRequest,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsLogStreamEvent,
  AgentsSessionPage,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
} from '../api/types';

export const ENTITY_REF = 'component:default/payments-service';

const STATUSES: AgentsSessionStatus[] = [
  'succeeded',
  'failed',
  'running',
  'pending',
  'cancelled',
  'timed_out',
  'starting',
];

/** Session number `n` (a higher number is newer). */
export function makeSession(
  n: number,
  overrides: Partial<AgentsSessionWithRuns> = {},
): AgentsSessionWithRuns {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const status = overrides.status ?? STATUSES[n % STATUSES.length];
  const finished = ['succeeded', 'failed', 'cancelled', 'timed_out'].includes(
    status,
  );
  return {
    id,
    entityRef: ENTITY_REF,
    repoUrl: 'https://github.com/example-org/payments-service',
    baseBranch: 'main',
    workBranch: `agents/session-${n}`,
    harness: 'opencode',
    prompt: `Task number ${n}\nWith more detail on the second line`,
    policy: { name: 'default', snapshot: {} },
    origin: { kind: 'ui' },
    createdBy: n % 2 === 0 ? 'user:default/guest' : 'user:default/jane',
    status,
    createdAt,
    updatedAt: createdAt,
    startedAt: createdAt,
    ...(finished
      ? { finishedAt: new Date(Date.parse(createdAt) + 95_000).toISOString() }
      : {}),
    runs: [
      {
        id: `run-${n}-1`,
        sessionId: id,
        attempt: 1,
        kind: 'initial',
        prompt: `Task number ${n}`,
        phase: status,
        createdAt,
        startedAt: createdAt,
      },
    ],
    ...overrides,
  };
}

export const DEFAULT_LAUNCH_OPTIONS: AgentsLaunchOptions = {
  canCreate: true,
  policy: {
    name: 'default',
    allowedHarnesses: ['opencode', 'claude-code', 'demo'],
    defaultHarness: 'opencode',
    egressProfile: 'github-only',
    resources: { cpu: '2', memory: '4Gi', ephemeralStorage: '10Gi' },
    timeoutSeconds: 1800,
    draftPullRequest: true,
  },
};

function errorResponse(status: number, message: string, name = 'InputError') {
  const body = {
    error: { name, message },
    request: { method: 'POST', url: '/api/agents/sessions' },
    response: { statusCode: status },
  };
  return ResponseError.fromResponse({
    ok: false,
    status,
    statusText: status === 400 ? 'Bad Request' : 'Error',
    headers: new Map([['content-type', 'application/json']]) as any,
    text: async () => JSON.stringify(body),
    json: async () => body,
  } as unknown as Response);
}

/** A log stream the test drives: emit events, then end it, drop it or let it fail. */
export class FakeLogStream {
  readonly after: number;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  readonly done: Promise<void>;
  closed = false;

  constructor(private readonly options: AgentsLogStreamOptions) {
    this.after = options.after;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    options.signal?.addEventListener('abort', () => this.close());
  }

  open() {
    this.options.onOpen?.();
  }

  emit(event: AgentsLogStreamEvent) {
    if (!this.closed) this.options.onEvent(event);
  }

  lines(from: number, to: number, runId = 'run-1-1') {
    for (let seq = from; seq <= to; seq++) {
      this.emit({
        type: 'log',
        line: {
          seq,
          runId,
          timestamp: '2026-01-01T00:00:00.000Z',
          line: `line ${seq}`,
        },
      });
    }
  }

  /** The connection drops (the promise resolves without an `end` event). */
  close() {
    if (this.closed) return;
    this.closed = true;
    this.resolve();
  }

  fail(error: Error) {
    this.closed = true;
    this.reject(error);
  }
}

/** An in-memory agents API: sessions newest first, keyset cursors, filters, controllable log streams. */
export class FakeAgentsApi implements AgentsApi {
  sessions: AgentsSessionWithRuns[];
  launchOptions: AgentsLaunchOptions | Error = DEFAULT_LAUNCH_OPTIONS;
  listError?: Error;
  listCalls: AgentsListSessionsQuery[] = [];
  streams: FakeLogStream[] = [];
  created: AgentsCreateSessionRequest[] = [];
  cancelled: string[] = [];
  resumed: { id: string; prompt: string }[] = [];
  /** Called for each new log stream, e.g. to open it and send lines right away. */
  onStream?: (stream: FakeLogStream) => void;

  constructor(count = 0) {
    // Newest first.
    this.sessions = Array.from({ length: count }, (_, i) =>
      makeSession(count - i),
    );
  }

  async listSessions(
    query: AgentsListSessionsQuery,
  ): Promise<AgentsSessionPage> {
    this.listCalls.push(query);
    if (this.listError) throw this.listError;
    const statuses = query.status?.split(',');
    let items = this.sessions.filter(
      s =>
        (!query.entityRef || s.entityRef === query.entityRef) &&
        (!query.parentSessionId ||
          s.parentSessionId === query.parentSessionId) &&
        (!statuses || statuses.includes(s.status)) &&
        (!query.createdBy || s.createdBy === 'user:default/guest'),
    );
    if (query.cursor) {
      const index = items.findIndex(s => s.id === query.cursor);
      items = items.slice(index + 1);
    }
    const limit = query.limit ?? 20;
    const page = items.slice(0, limit);
    return {
      items: page.map(({ runs: _runs, ...session }) => session),
      ...(items.length > limit ? { nextCursor: page[page.length - 1].id } : {}),
    };
  }

  async getSession(id: string): Promise<AgentsSessionWithRuns> {
    const session = this.sessions.find(s => s.id === id);
    if (!session)
      throw await errorResponse(
        404,
        `Session ${id} not found`,
        'NotFoundError',
      );
    return session;
  }

  async createSession(
    request: AgentsCreateSessionRequest,
  ): Promise<AgentsSessionWithRuns> {
    this.created.push(request);
    if (request.prompt.includes('invalid')) {
      throw await errorResponse(
        400,
        'The prompt must not mention invalid things',
      );
    }
    const session = makeSession(this.sessions.length + 1, {
      prompt: request.prompt,
      harness: request.harness ?? 'opencode',
      status: 'pending',
      entityRef: request.entityRef,
    });
    this.sessions.unshift(session);
    return session;
  }

  async cancelSession(id: string): Promise<AgentsSessionWithRuns> {
    this.cancelled.push(id);
    const session = await this.getSession(id);
    const cancelled = { ...session, status: 'cancelled' as const };
    this.replace(cancelled);
    return cancelled;
  }

  async resumeSession(
    id: string,
    prompt: string,
  ): Promise<AgentsSessionWithRuns> {
    this.resumed.push({ id, prompt });
    const session = await this.getSession(id);
    const resumed: AgentsSessionWithRuns = {
      ...session,
      status: 'pending',
      runs: [
        ...session.runs,
        {
          id: `${session.runs[0].id.replace(/-\d+$/, '')}-${
            session.runs.length + 1
          }`,
          sessionId: id,
          attempt: session.runs.length + 1,
          kind: 'resume',
          prompt,
          phase: 'pending',
          createdAt: new Date().toISOString(),
        },
      ],
    };
    this.replace(resumed);
    return resumed;
  }

  async getLaunchOptions(): Promise<AgentsLaunchOptions> {
    if (this.launchOptions instanceof Error) throw this.launchOptions;
    return this.launchOptions;
  }

  streamLogs(
    _sessionId: string,
    options: AgentsLogStreamOptions,
  ): Promise<void> {
    const stream = new FakeLogStream(options);
    this.streams.push(stream);
    this.onStream?.(stream);
    return stream.done;
  }

  replace(session: AgentsSessionWithRuns) {
    this.sessions = this.sessions.map(s => (s.id === session.id ? session : s));
  }
}

export { errorResponse };
