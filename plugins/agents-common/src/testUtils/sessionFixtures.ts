import { isTerminalStatus } from '../statusModel';
import type {
  AgentsHarnessRun,
  AgentsLaunchOptions,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
} from '../client/types';

/** The entity the fixtures' sessions work on. @public */
export const ENTITY_REF = 'component:default/payments-service';

/** The id of session number `n`: a UUID, as the API's document requires. @public */
export function sessionId(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** The id of run number `attempt` of session number `n`. @public */
export function runId(n: number, attempt = 1): string {
  return `00000000-0000-4000-a000-${String(n).padStart(8, '0')}${String(
    attempt,
  ).padStart(4, '0')}`;
}

/** The task id of a fan-out's child number `i` (from 1): T001, T002, … @public */
export function taskId(i: number): string {
  return `T${String(i).padStart(3, '0')}`;
}

const STATUSES: AgentsSessionStatus[] = [
  'succeeded',
  'failed',
  'running',
  'pending',
  'cancelled',
  'timed_out',
  'starting',
];

/**
 * Run number `attempt` of session number `n`: `initial` for the first and `resume` after, started
 * a minute apart, finished when its phase is. Give `usage` for the tokens it used.
 *
 * @public
 */
export function makeRun(
  n: number,
  attempt = 1,
  overrides: Partial<AgentsHarnessRun> = {},
): AgentsHarnessRun {
  const createdAt = new Date(
    Date.UTC(2026, 0, 1) + n * 60_000 + (attempt - 1) * 60_000,
  ).toISOString();
  const phase = overrides.phase ?? 'succeeded';
  return {
    id: runId(n, attempt),
    sessionId: sessionId(n),
    attempt,
    kind: attempt === 1 ? 'initial' : 'resume',
    prompt: attempt === 1 ? `Task number ${n}` : `Follow-up ${attempt - 1}`,
    phase,
    createdAt,
    startedAt: createdAt,
    ...(isTerminalStatus(phase)
      ? { finishedAt: new Date(Date.parse(createdAt) + 45_000).toISOString() }
      : {}),
    ...overrides,
  };
}

/**
 * Session number `n` (a higher number is newer): one run, a status that varies with `n` unless given,
 * created by `user:default/guest` when `n` is even and `user:default/jane` when odd. Its `usage` is
 * not given but summed from its runs' (by the fake, as the backend sums it): give runs with usage,
 * e.g. `runs: [makeRun(n, 1, { usage })]`.
 *
 * @public
 */
export function makeSession(
  n: number,
  overrides: Partial<AgentsSessionWithRuns> = {},
): AgentsSessionWithRuns {
  const id = sessionId(n);
  const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
  const status = overrides.status ?? STATUSES[n % STATUSES.length];
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
    ...(isTerminalStatus(status)
      ? { finishedAt: new Date(Date.parse(createdAt) + 95_000).toISOString() }
      : {}),
    runs: [
      {
        id: runId(n),
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

/**
 * A spec-kit fan-out (session number `n`) and one child per status given, numbered after it (so
 * newer), each with its task id, prompt and branch.
 *
 * @public
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

/** Launch options that let the caller start a session under a `default` policy. @public */
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
