import type {
  HarnessName,
  HarnessResult,
  HarnessRun,
  PullRequestState,
  RunKind,
  Session,
  SessionKind,
  SessionOriginRef,
  SessionStatus,
  Usage,
} from '@backstage-agents/plugin-agents-common';

/** A row of `agents_sessions`. Timestamps are ISO 8601 strings in UTC on every database. */
export interface SessionRow {
  seq: number | string;
  id: string;
  /** `agent` or `fanout`. */
  kind: string;
  entity_ref: string;
  entity_owner_ref: string | null;
  repo_url: string;
  base_branch: string | null;
  work_branch: string;
  harness: string;
  prompt: string;
  policy_name: string;
  policy_snapshot: string;
  origin: string;
  origin_ref: string | null;
  created_by: string;
  status: string;
  idempotency_key: string | null;
  parent_session_id: string | null;
  pr_url: string | null;
  pr_state: string | null;
  head_commit: string | null;
  summary: string | null;
  bundle_id: string | null;
  pr_synced_commit?: string | null;
  issue_url?: string | null;
  /** A fan-out in waves: the branch its tasks start from and are merged into. */
  integration_branch?: string | null;
  /** A fan-out in waves: the wave whose tasks may run now. */
  current_wave?: number | string | null;
  /** A fan-out in waves: why its later waves will not start. */
  wave_error?: string | null;
  /** A task of a fan-out in waves: its wave. */
  wave?: number | string | null;
  log_seq: number | string;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** Listings only: usage summed over the session's runs (`SessionReader.selectWithUsage`). */
  usage_input_tokens?: number | string | null;
  usage_output_tokens?: number | string | null;
  usage_cost_usd?: number | string | null;
}

/** A row of `agents_runs`. */
export interface RunRow {
  id: string;
  session_id: string;
  attempt: number;
  kind: string;
  prompt: string;
  pod_name: string | null;
  namespace: string | null;
  cluster: string | null;
  phase: string;
  exit_code: number | null;
  reason: string | null;
  result: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_token_hash?: string | null;
  input_bundle_id?: string | null;
  bundle_id?: string | null;
  /** The result line's usage; PostgreSQL returns a bigint as a string. Null when not reported. */
  input_tokens?: number | string | null;
  output_tokens?: number | string | null;
  /** What the usage cost at the harness's price when it was recorded; null without a price. */
  cost_usd?: number | string | null;
}

/** A row of `agents_bundles` without its content. */
export interface BundleRow {
  id: string;
  session_id: string;
  run_id: string | null;
  digest: string;
  size_bytes: number | string;
  storage: string;
  location: string | null;
  /** `uploading` until the content is stored and verified, then `complete`. */
  state?: string;
  created_at: string;
}

function optional<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

export function sessionFromRow(row: SessionRow, bundle?: BundleRow): Session {
  const originRef = row.origin_ref
    ? (JSON.parse(row.origin_ref) as Omit<SessionOriginRef, 'kind'>)
    : {};
  return {
    id: row.id,
    kind: (row.kind ?? 'agent') as SessionKind,
    entityRef: row.entity_ref,
    entityOwnerRef: optional(row.entity_owner_ref),
    repoUrl: row.repo_url,
    baseBranch: optional(row.base_branch),
    workBranch: row.work_branch,
    harness: row.harness as HarnessName,
    prompt: row.prompt,
    policy: {
      name: row.policy_name,
      snapshot: JSON.parse(row.policy_snapshot),
    },
    origin: { kind: row.origin as SessionOriginRef['kind'], ...originRef },
    createdBy: row.created_by,
    status: row.status as SessionStatus,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: optional(row.started_at),
    finishedAt: optional(row.finished_at),
    prUrl: optional(row.pr_url),
    prState: optional(row.pr_state) as PullRequestState | undefined,
    headCommit: optional(row.head_commit),
    summary: optional(row.summary),
    bundle: bundle
      ? {
          id: bundle.id,
          digest: bundle.digest,
          sizeBytes: Number(bundle.size_bytes),
          createdAt: bundle.created_at,
        }
      : undefined,
    issueUrl: row.issue_url ?? undefined,
    parentSessionId: optional(row.parent_session_id),
    ...(row.integration_branch ? { integrationBranch: row.integration_branch } : {}),
    ...(isSet(row.current_wave) ? { currentWave: Number(row.current_wave) } : {}),
    ...(row.wave_error ? { waveError: row.wave_error } : {}),
    ...(isSet(row.wave) ? { wave: Number(row.wave) } : {}),
  };
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}

/** A cost in US dollars as stored: to the micro-dollar, so that sums read alike on every database. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Usage from its columns (a run's, or sums of them): none without input tokens, a cost only when
 * there is one. Counts and sums may come back as strings (PostgreSQL's bigint and numeric).
 */
export function usageFromColumns(
  inputTokens: number | string | null | undefined,
  outputTokens: number | string | null | undefined,
  costUsd: number | string | null | undefined,
): Usage | undefined {
  if (inputTokens === null || inputTokens === undefined) return undefined;
  return {
    inputTokens: Number(inputTokens),
    outputTokens: Number(outputTokens ?? 0),
    ...(costUsd === null || costUsd === undefined ? {} : { costUsd: roundUsd(Number(costUsd)) }),
  };
}

export function runFromRow(row: RunRow): HarnessRun {
  return {
    id: row.id,
    sessionId: row.session_id,
    attempt: Number(row.attempt),
    kind: row.kind as RunKind,
    prompt: row.prompt,
    podName: optional(row.pod_name),
    namespace: optional(row.namespace),
    cluster: optional(row.cluster),
    phase: row.phase as SessionStatus,
    createdAt: row.created_at,
    startedAt: optional(row.started_at),
    finishedAt: optional(row.finished_at),
    exitCode: row.exit_code === null ? undefined : Number(row.exit_code),
    reason: optional(row.reason),
    result: row.result ? (JSON.parse(row.result) as HarnessResult) : undefined,
    usage: usageFromColumns(row.input_tokens, row.output_tokens, row.cost_usd),
  };
}
