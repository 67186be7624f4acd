import type { Faults } from './faults';
import type {
  AppConfig,
  InstallationConfig,
  IssuedToken,
  PersonalAccessTokenConfig,
  RequestLogEntry,
  WebhookDelivery,
  WebhookTarget,
} from './model';
import type { CreateRepoOptions, GitHubStore } from './store';

/*
 * The fake's public handle and the plain data it hands to tests: what `startFakeGitHub` (server.ts)
 * returns and what the admin endpoints (admin.ts) act on.
 */

export interface FakeGitHubOptions {
  /** Where the bare repositories live: `<reposDir>/<owner>/<repo>.git` (or without `.git`). Created if missing. */
  reposDir: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base URL put into responses (html_url, clone_url …); default `http://<host>:<port>`. */
  publicUrl?: string;
  apps?: AppConfig[];
  personalAccessTokens?: PersonalAccessTokenConfig[];
  /** Where issue and comment events are delivered. */
  webhook?: WebhookTarget;
  /** Requests per hour for authenticated callers (per installation, user or App); default 5000. Anonymous: 60. */
  rateLimit?: number;
  /** Lifetime of installation access tokens; default 3600 s, as on GitHub. */
  installationTokenTtlSeconds?: number;
}

export interface CreatedRepo {
  id: number;
  owner: string;
  name: string;
  /** The bare repository on disk. */
  dir: string;
  private: boolean;
  cloneUrl: string;
}

/** What issues and pull requests share as plain data, for assertions. */
export interface IssueFields {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  labels: string[];
  comments: Array<{ id: number; body: string; user: string }>;
  htmlUrl: string;
}

/** A pull request as plain data, for assertions. */
export interface PullSummary extends IssueFields {
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  head: { ref: string; sha: string };
  base: { ref: string; sha: string };
}

/** An issue as plain data, for assertions. */
export interface IssueSummary extends IssueFields {
  isPullRequest: boolean;
}

/** Read helpers over the fake's state. */
export interface FakeGitHubState {
  /** Pull requests (head and base commits refreshed from the repositories), oldest first. */
  pulls(filter?: { owner?: string; repo?: string }): Promise<PullSummary[]>;
  issues(filter?: { owner?: string; repo?: string }): IssueSummary[];
  /** Installation tokens issued so far, oldest first. */
  tokens(): IssuedToken[];
  /** Webhook deliveries (and redeliveries), oldest first. */
  deliveries(): WebhookDelivery[];
  /** GitHub requests (REST and git) served, oldest first. Admin requests are not logged. */
  requests(): RequestLogEntry[];
  repos(): CreatedRepo[];
}

export interface FakeGitHub {
  /** Base URL, e.g. `http://127.0.0.1:43121`: web and git URLs live here. */
  url: string;
  /** REST base URL (GitHub.com style: the API at the root), the same as `url`. */
  apiUrl: string;
  /** The same API under `/api/v3`, as GitHub Enterprise Server serves it. */
  enterpriseApiUrl: string;
  port: number;
  reposDir: string;
  /** `http://…/<owner>/<repo>.git`, for git clone/push. */
  gitUrl(owner: string, repo: string): string;
  faults: Faults;
  state: FakeGitHubState;
  /** The raw state, for tests that need more than `state` offers. */
  store: GitHubStore;

  createRepo(
    owner: string,
    name: string,
    options?: CreateRepoOptions,
  ): Promise<CreatedRepo>;
  /** Commits files on a branch server-side (from `from`, default the branch itself or the default branch); returns the commit. */
  commitFiles(
    owner: string,
    repo: string,
    options: {
      branch: string;
      files: Record<string, string>;
      message?: string;
      from?: string;
    },
  ): Promise<string>;
  addApp(config: AppConfig): void;
  addInstallation(appId: number, installation: InstallationConfig): void;
  addPersonalAccessToken(pat: PersonalAccessTokenConfig): void;
  /** Makes an issued installation token expire now. */
  expireToken(token: string): void;

  /** Opens an issue as `user` (default `octocat`); sends `issues` opened (+ labeled per label). */
  createIssue(
    owner: string,
    repo: string,
    fields: { title: string; body?: string; labels?: string[]; user?: string },
  ): Promise<{ issue: any; deliveries: WebhookDelivery[] }>;
  /** Adds labels; sends `issues` labeled per label that was not there yet. */
  addLabels(
    owner: string,
    repo: string,
    number: number,
    labels: string[],
    user?: string,
  ): Promise<WebhookDelivery[]>;
  /** Comments on an issue or pull request; sends `issue_comment` created. */
  addComment(
    owner: string,
    repo: string,
    number: number,
    body: string,
    user?: string,
  ): Promise<{ comment: any; deliveries: WebhookDelivery[] }>;
  /** Merges a pull request into its base branch (a real merge in the bare repository) and marks it merged. */
  mergePull(
    owner: string,
    repo: string,
    number: number,
    options?: { method?: 'merge' | 'squash'; user?: string },
  ): Promise<PullSummary>;
  closePull(owner: string, repo: string, number: number): Promise<PullSummary>;
  /** Sets (or with undefined, removes) the webhook target. */
  setWebhook(target: WebhookTarget | undefined): void;
  /** Sends a recorded delivery again with the same id, body and signature. */
  redeliver(deliveryId: string): Promise<WebhookDelivery>;
  stop(): Promise<void>;
}
