import { parseEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type {
  AgentsCreateSessionRequest,
  AgentsHarnessRun,
  AgentsLaunchOptions,
  AgentsListSessionsQuery,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
  AgentsUsage,
} from '../client/types';
import { SESSION_LIMITS } from '../limits';
import { normalizeEntityRef } from '../normalizeEntityRef';
import { fanOutStatus, isTerminalStatus } from '../statusModel';
import {
  DEFAULT_LAUNCH_OPTIONS,
  makeSession,
  runId,
  sessionId,
} from './sessionFixtures';

/**
 * The runs' usage summed as the backend sums it: none when no run reported any, and a cost only
 * when every run that reported usage had one.
 */
function totalUsage(runs: AgentsHarnessRun[]): AgentsUsage | undefined {
  const reported = runs.flatMap(r => (r.usage ? [r.usage] : []));
  if (reported.length === 0) return undefined;
  const total: AgentsUsage = {
    inputTokens: reported.reduce((sum, u) => sum + u.inputTokens, 0),
    outputTokens: reported.reduce((sum, u) => sum + u.outputTokens, 0),
  };
  if (reported.every(u => u.costUsd !== undefined)) {
    const cost = reported.reduce((sum, u) => sum + u.costUsd!, 0);
    total.costUsd = Math.round(cost * 1e6) / 1e6;
  }
  return total;
}

/**
 * The fake's sessions and what the API does to them, as the backend does it: listing with filters
 * and cursors, creation with idempotency keys, cancel and resume by the status model, fan-outs whose
 * status follows their children's, and usage summed over runs (a fan-out's over its tasks' runs).
 * Errors are those of `@backstage/errors` the backend throws.
 */
export class FakeSessions {
  /** The sessions, newest first. */
  sessions: AgentsSessionWithRuns[];
  launchOptions: AgentsLaunchOptions = DEFAULT_LAUNCH_OPTIONS;
  /** The most sessions one page holds, whatever `limit` asks for. */
  maxPageSize: number = SESSION_LIMITS.maxPageSize;
  /** Who calls: the creator of new sessions, and who `createdBy=me` means. */
  caller = 'user:default/guest';

  private readonly idempotencyKeys = new Map<string, string>();
  /** Numbers the runs that resumes add. */
  private resumes = 0;

  /** `sessions`: the sessions, newest first, or how many to make with `makeSession`. */
  constructor(sessions: number | AgentsSessionWithRuns[] = 0) {
    this.sessions =
      typeof sessions === 'number'
        ? Array.from({ length: sessions }, (_, i) => makeSession(sessions - i))
        : sessions;
  }

  /** Replaces the session with the same id. */
  replace(session: AgentsSessionWithRuns): void {
    this.sessions = this.sessions.map(s => (s.id === session.id ? session : s));
  }

  get(id: string): AgentsSessionWithRuns {
    const session = this.sessions.find(s => s.id === id);
    if (!session) throw new NotFoundError(`Session ${id} not found`);
    return this.derived(session);
  }

  list(query: AgentsListSessionsQuery) {
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

  /** Creates a session, or finds the one its idempotency key made: `created` says which. */
  create(request: AgentsCreateSessionRequest): {
    session: AgentsSessionWithRuns;
    created: boolean;
  } {
    const existing =
      request.idempotencyKey &&
      this.idempotencyKeys.get(request.idempotencyKey);
    if (existing) return { session: this.get(existing), created: false };
    const parent = request.parentSessionId
      ? this.sessions.find(s => s.id === request.parentSessionId)
      : undefined;
    this.checkWaves(request, parent);
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
      // A fan-out in waves starts at wave 1; its tasks start from its integration branch.
      ...(request.integrationBranch
        ? { integrationBranch: request.integrationBranch, currentWave: 1 }
        : {}),
      ...(request.wave !== undefined
        ? { wave: request.wave, baseBranch: parent?.integrationBranch }
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
    return { session, created: true };
  }

  /** Refuses the wave fields where the backend does: `integrationBranch` and `wave` go together. */
  private checkWaves(
    request: AgentsCreateSessionRequest,
    parent: AgentsSessionWithRuns | undefined,
  ): void {
    if (request.integrationBranch && request.kind !== 'fanout') {
      throw new InputError(
        'integrationBranch is only for a fan-out session (kind fanout)',
      );
    }
    if (request.wave !== undefined && !parent?.integrationBranch) {
      throw new InputError(
        'wave is only for a task of a fan-out that runs in waves (one created with integrationBranch)',
      );
    }
    if (parent?.integrationBranch && request.wave === undefined) {
      throw new InputError(
        `Fan-out ${parent.id} runs in waves on ${parent.integrationBranch}: give the task's wave`,
      );
    }
  }

  /** Sets a task's status (a test playing the backend's runs); a finished task may end its wave. */
  setStatus(
    id: string,
    status: AgentsSessionStatus,
    extra: Partial<Pick<AgentsSessionWithRuns, 'prUrl' | 'summary'>> = {},
  ): void {
    const session = this.get(id);
    if (session.kind === 'fanout') {
      throw new Error(`Session ${id} is a fan-out: set its tasks' status`);
    }
    const finished = isTerminalStatus(status);
    const now = new Date().toISOString();
    this.replace({
      ...this.sessions.find(s => s.id === id)!,
      ...extra,
      status,
      updatedAt: now,
      ...(finished ? { finishedAt: now } : {}),
      runs: session.runs.map((r, i) =>
        i === session.runs.length - 1
          ? { ...r, phase: status, ...(finished ? { finishedAt: now } : {}) }
          : r,
      ),
    });
    if (finished && session.parentSessionId) {
      this.advanceWaves(session.parentSessionId);
    }
  }

  /**
   * What the backend does when a task of a fan-out in waves finishes: once every task of the
   * current wave has finished, the wave is merged and the next starts if all succeeded; otherwise
   * `waveError` says why and the later waves' tasks are cancelled.
   */
  private advanceWaves(fanOutId: string): void {
    const fanOut = this.sessions.find(s => s.id === fanOutId);
    if (!fanOut?.currentWave || fanOut.waveError) return;
    const tasks = this.sessions.filter(s => s.parentSessionId === fanOutId);
    const current = tasks.filter(t => t.wave === fanOut.currentWave);
    if (!current.every(t => isTerminalStatus(t.status))) return;
    const later = tasks.filter(t => (t.wave ?? 0) > fanOut.currentWave!);
    const failed = current.find(t => t.status !== 'succeeded');
    if (failed) {
      this.replace({
        ...fanOut,
        waveError: `Wave ${fanOut.currentWave} ended with ${
          failed.origin.taskId ?? failed.id
        } ${failed.status.replace('_', ' ')}: the later waves were not started`,
      });
      const now = new Date().toISOString();
      for (const task of later) {
        this.replace({
          ...task,
          status: 'cancelled',
          finishedAt: now,
          runs: task.runs.map(r => ({
            ...r,
            phase: 'cancelled',
            finishedAt: now,
          })),
        });
      }
      return;
    }
    // As the backend: the next wave with tasks; past the last one, one past it (every wave merged).
    if (later.length === 0) {
      this.replace({ ...fanOut, currentWave: fanOut.currentWave + 1 });
      return;
    }
    this.replace({
      ...fanOut,
      currentWave: Math.min(...later.map(t => t.wave ?? 0)),
    });
    this.advanceWaves(fanOutId);
  }

  cancel(id: string): AgentsSessionWithRuns {
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

  resume(id: string, prompt: string): AgentsSessionWithRuns {
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

  /**
   * A session's usage is its runs' (a given `usage` is replaced), and a fan-out's status, child
   * counts and usage follow its children, as the backend computes them.
   */
  private derived(session: AgentsSessionWithRuns): AgentsSessionWithRuns {
    const { usage: _given, ...rest } = session;
    // A test may hand the fake a partial session, without runs.
    const withUsage = (runs: AgentsHarnessRun[] = []) => {
      const usage = totalUsage(runs);
      return usage ? { usage } : {};
    };
    if (session.kind !== 'fanout')
      return { ...rest, ...withUsage(session.runs) };
    const children = this.sessions.filter(
      s => s.parentSessionId === session.id,
    );
    const byStatus: Partial<Record<AgentsSessionStatus, number>> = {};
    for (const child of children)
      byStatus[child.status] = (byStatus[child.status] ?? 0) + 1;
    return {
      ...rest,
      status: fanOutStatus(byStatus),
      children: { total: children.length, byStatus },
      ...withUsage(children.flatMap(c => c.runs ?? [])),
    };
  }
}
