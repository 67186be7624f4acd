import type { components } from './generated/openapi';

type ApiSchemas = components['schemas'];

/**
 * The coding agents a session can run. `demo` is a deterministic stand-in for development
 * (no API keys, no model); production configuration never enables it.
 */
export const HARNESS_NAMES = ['opencode', 'claude-code', 'codex', 'demo'] as const;

/** @public */
export type HarnessName = (typeof HARNESS_NAMES)[number];

/** @public */
export function isHarnessName(value: unknown): value is HarnessName {
  return (HARNESS_NAMES as readonly unknown[]).includes(value);
}

/** Where a session was started from. */
export const SESSION_ORIGINS = [
  'ui',
  'scaffolder',
  'speckit',
  'api',
  'webhook',
  'campaign',
] as const;

/** @public */
export type SessionOrigin = (typeof SESSION_ORIGINS)[number];

/** @public */
export type SessionStatus = ApiSchemas['SessionStatus'];

/**
 * `agent` sessions run a harness in pods. A `fanout` session runs nothing itself: it groups the
 * sessions that name it as their parent (one per spec-kit task, say), and its status follows theirs.
 */
export const SESSION_KINDS = ['agent', 'fanout'] as const;

/** @public */
export type SessionKind = (typeof SESSION_KINDS)[number];

/** How many child sessions of a fan-out are in each status. */
export type FanOutChildren = {
  total: number;
  byStatus: Partial<Record<SessionStatus, number>>;
};

/** What a session was started from, with the references that let it be traced back. */
export type SessionOriginRef = {
  kind: SessionOrigin;
  templateRef?: string;
  taskId?: string;
  stepId?: string;
};

/** The policy a session runs under: its name and the values resolved when it was created. */
export type SessionPolicy = {
  name: string;
  snapshot: Record<string, unknown>;
};

/** The latest snapshot of the harness's own state, as stored by a bundle store. */
export type SessionBundle = {
  id: string;
  digest: string;
  sizeBytes: number;
  createdAt: string;
};

/** @public */
export type PullRequestState = NonNullable<ApiSchemas['Session']['prState']>;

/** A durable agent session against one catalog entity's repository. */
export type Session = {
  id: string;
  kind: SessionKind;
  entityRef: string;
  /** The entity's owner when the session was created; used by ownership-based permission rules. */
  entityOwnerRef?: string;
  repoUrl: string;
  /** Undefined means the repository's default branch. */
  baseBranch?: string;
  workBranch: string;
  harness: HarnessName;
  prompt: string;
  policy: SessionPolicy;
  origin: SessionOriginRef;
  createdBy: string;
  status: SessionStatus;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  prUrl?: string;
  prState?: PullRequestState;
  headCommit?: string;
  summary?: string;
  bundle?: SessionBundle;
  /** The GitHub issue a webhook-triggered session works on. */
  issueUrl?: string;
  parentSessionId?: string;
  /** Set on a fan-out that runs in waves: the branch its tasks start from, merged into wave by wave. */
  integrationBranch?: string;
  /** Set on a fan-out that runs in waves: the wave whose tasks may run now (from 1). */
  currentWave?: number;
  /** Set on a fan-out that runs in waves when its later waves will not start, and why. */
  waveError?: string;
  /** Set on a task of a fan-out that runs in waves: its wave; pending until the fan-out reaches it. */
  wave?: number;
  /** Set on fan-out sessions: their children by status. */
  children?: FanOutChildren;
  /**
   * The tokens of the session's runs (a fan-out's: of its tasks' runs), summed; `costUsd` only when
   * every run that reported usage had a price. Absent while no run has reported usage.
   */
  usage?: Usage;
};

/** The tokens a harness reports for one run, in its `AGENTS_RESULT` line. */
export type TokenUsage = ApiSchemas['TokenUsage'];

/**
 * Tokens used, and what they cost in US dollars where the harness had a configured price
 * (`agents.harnesses.<name>.price`) when the usage was recorded.
 */
export type Usage = ApiSchemas['Usage'];

/** @public */
export type RunKind = ApiSchemas['HarnessRun']['kind'];

/** The structured outcome a harness prints as its final `AGENTS_RESULT` line. */
export type HarnessResult = {
  /** `interrupted`: the harness was stopped (cancel, deadline) and saved its partial work. */
  status: 'succeeded' | 'failed' | 'interrupted';
  headCommit?: string;
  filesChanged?: number;
  harnessSessionId?: string;
  summary?: string;
  /** Whether the run pushed new commits to the work branch. */
  pushed?: boolean;
  /** The tokens the agent used, when the harness reports them. */
  usage?: TokenUsage;
};

/** One ephemeral execution of the harness for a session: a pod. */
export type HarnessRun = {
  id: string;
  sessionId: string;
  attempt: number;
  kind: RunKind;
  /** The prompt of this run: the session's prompt for the first run, the follow-up for a resume. */
  prompt: string;
  podName?: string;
  namespace?: string;
  /** The cluster the run's pod runs on: `agents.kubernetes.cluster`, a policy's, or `default`. */
  cluster?: string;
  phase: SessionStatus;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  reason?: string;
  result?: HarnessResult;
  /** The tokens of `result`, and their cost when the harness had a price when they were recorded. */
  usage?: Usage;
};

/** A session together with its runs, oldest first. */
export type SessionWithRuns = Session & {
  runs: HarnessRun[];
};

/** One persisted line of a session's log. `seq` is the cursor: it increases by one per line. */
export type LogLine = ApiSchemas['LogLine'];

/** One page of a keyset-paginated listing. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** The egress profile a harness pod runs under; each maps to NetworkPolicies shipped in deploy/. */
export type EgressProfile = string;

/** Compute bounds for one harness pod, in Kubernetes quantity notation. */
export type HarnessResources = {
  cpu: string;
  memory: string;
  ephemeralStorage: string;
};

/**
 * A named policy, resolved from configuration: what a session may run and with which limits.
 * A snapshot is stored with each session so later config changes do not rewrite history.
 */
export type AgentsPolicy = {
  name: string;
  allowedHarnesses: HarnessName[];
  defaultHarness: HarnessName;
  egressProfile: EgressProfile;
  image?: string;
  resources: HarnessResources;
  timeoutSeconds: number;
  runtimeClassName?: string;
  maxConcurrentPerEntity?: number;
  maxConcurrentGlobal?: number;
  /** At most this many sessions run at once on entities owned by the same group. */
  maxConcurrentPerOwner?: number;
  /** The longest prompt (or follow-up) a session may be given, at most the API's own limit. */
  maxPromptLength?: number;
  draftPullRequest: boolean;
  /** Whether a pull request is opened when a run pushes (default true). */
  openPullRequest?: boolean;
  /** The largest session bundle a run may upload, in bytes. */
  maxBundleBytes: number;
  /**
   * Log lines a run may persist per second, averaged over 10-second windows; a flood beyond it is
   * dropped with a notice in the log. Resolvers set it; older snapshots lack it (the default applies).
   */
  logLinesPerSecond?: number;
  /** Whom to notify when a session ends; resolvers set it, older snapshots lack it (the default applies). */
  notifications?: PolicyNotifications;
};

/**
 * Whether a session's creator is notified when it ends, and on which outcomes (terminal statuses).
 * A fan-out's tasks are never notified one by one: the fan-out notifies once.
 */
export type PolicyNotifications = ApiSchemas['PolicyNotifications'];
