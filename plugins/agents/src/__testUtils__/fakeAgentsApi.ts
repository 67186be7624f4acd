import { ResponseError } from '@backstage/errors';
import { isTerminalStatus } from '@backstage-agents/plugin-agents-common';
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
    kind: 'agent',
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

/** The task id of a fan-out's child number `i` (from 1): T001, T002, … */
export function taskId(i: number): string {
  return `T${String(i).padStart(3, '0')}`;
}

/**
 * A spec-kit fan-out (session number `n`) and one child per status given, numbered after it (so newer),
 * each with its task id, prompt and branch. Add them with {@link FakeAgentsApi.addFanOut}.
 */
export function makeFanOut(
  n: number,
  childStatuses: AgentsSessionStatus[],
  overrides: Partial<AgentsSessionWithRuns> = {},
): { fanOut: AgentsSessionWithRuns; children: AgentsSessionWithRuns[] } {
  const fanOut = makeSession(n, {
    kind: 'fanout',
    prompt:
      'Implement the ledger spec\nspecs/001-ledger/tasks.md, [ASYNC] tasks',
    workBranch: 'specs/001-ledger',
    origin: {
      kind: 'speckit',
      templateRef: 'template:default/speckit-implement',
    },
    runs: [],
    status: 'pending',
    ...overrides,
  });
  const children = childStatuses.map((status, i) =>
    makeSession(n + i + 1, {
      status,
      parentSessionId: fanOut.id,
      prompt: `${taskId(i + 1)} Implement ledger part ${
        i + 1
      }\nSee specs/001-ledger/tasks.md`,
      workBranch: `specs/001-ledger/${taskId(i + 1)}-async`,
      origin: {
        kind: 'speckit',
        taskId: taskId(i + 1),
        templateRef: 'template:default/speckit-implement',
      },
    }),
  );
  return { fanOut, children };
}

/** A fan-out's status as the backend derives it from its children's. */
function fanOutStatus(children: AgentsSessionWithRuns[]): AgentsSessionStatus {
  if (children.every(c => c.status === 'pending')) return 'pending';
  if (children.some(c => !isTerminalStatus(c.status))) return 'running';
  if (children.some(c => c.status === 'failed' || c.status === 'timed_out'))
    return 'failed';
  if (children.some(c => c.status === 'cancelled')) return 'cancelled';
  return 'succeeded';
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
  /** The most sessions one page holds, whatever `limit` asks for (the server caps it at 100). */
  maxPageSize = 100;

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
    let items = this.sessions
      .map(s => this.derived(s))
      .filter(
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
    const limit = Math.min(query.limit ?? 20, this.maxPageSize);
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
    return this.derived(session);
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
    if (session.kind === 'fanout') {
      // Cancelling a fan-out cancels its unfinished children; its status follows.
      for (const child of this.childrenOf(id)) {
        if (!isTerminalStatus(child.status))
          this.replace({ ...child, status: 'cancelled' });
      }
      return this.getSession(id);
    }
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
    if (session.kind === 'fanout') {
      throw await errorResponse(
        409,
        'A fan-out session cannot be resumed; resume its sessions instead',
        'ConflictError',
      );
    }
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

  /** Adds a fan-out made with {@link makeFanOut} in front (its children newest first, then it). */
  addFanOut(fanOut: ReturnType<typeof makeFanOut>) {
    this.sessions = [
      ...[...fanOut.children].reverse(),
      fanOut.fanOut,
      ...this.sessions,
    ];
  }

  private childrenOf(id: string) {
    return this.sessions.filter(s => s.parentSessionId === id);
  }

  /** A fan-out's status and child counts follow its children, as the backend computes them. */
  private derived(session: AgentsSessionWithRuns): AgentsSessionWithRuns {
    if (session.kind !== 'fanout') return session;
    const children = this.childrenOf(session.id);
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

export { errorResponse };
