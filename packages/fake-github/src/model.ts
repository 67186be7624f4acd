/** Configuration and state types of the fake. */

export type PermissionLevel = 'read' | 'write' | 'admin';
/** GitHub App permissions by name, e.g. `{ contents: 'write', pull_requests: 'write' }`. */
export type Permissions = Record<string, PermissionLevel>;

export interface InstallationConfig {
  id: number;
  /** The account (user or organisation login) the App is installed on. */
  account: string;
  /** `'all'` repositories of the account, or the names of the selected ones. */
  repositories: 'all' | string[];
  /** What the installation was granted; default the App's permissions. */
  permissions?: Permissions;
  /** Default `Organization`. */
  accountType?: 'Organization' | 'User';
}

export interface AppConfig {
  appId: number;
  /** Verifies the App's JWTs. Give this or `privateKeyPem` (the public key is derived from it). */
  publicKeyPem?: string;
  privateKeyPem?: string;
  /** Also accepted as a JWT `iss`, as GitHub accepts the client id. */
  clientId?: string;
  /** Default `fake-app-<appId>`; the bot user is `<slug>[bot]`. */
  slug?: string;
  name?: string;
  /** The App's registered permissions; default contents, pull_requests, issues: write, metadata: read. */
  permissions?: Permissions;
  installations?: InstallationConfig[];
}

export interface PersonalAccessTokenConfig {
  token: string;
  login: string;
  /** Reported in `x-oauth-scopes`; default `['repo']`. Not enforced: a PAT reaches every repository. */
  scopes?: string[];
}

export interface WebhookTarget {
  url: string;
  /** Signs deliveries (`X-Hub-Signature-256`); unsigned when omitted. */
  secret?: string;
}

export const DEFAULT_APP_PERMISSIONS: Permissions = {
  metadata: 'read',
  contents: 'write',
  pull_requests: 'write',
  issues: 'write',
};

/** An installation access token the fake has issued. */
export interface IssuedToken {
  token: string;
  appId: number;
  installationId: number;
  /** The installation's account. */
  account: string;
  repositorySelection: 'all' | 'selected';
  /** Repository names the token is limited to when `repositorySelection` is `selected`. */
  repositories?: string[];
  permissions: Permissions;
  createdAt: string;
  expiresAt: string;
  revoked: boolean;
}

export interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  /** Absolute path of the bare repository. */
  dir: string;
  private: boolean;
  createdAt: string;
}

export interface UserRef {
  login: string;
  type: 'User' | 'Bot' | 'Organization';
}

export interface LabelRecord {
  id: number;
  name: string;
  color: string;
}

export interface CommentRecord {
  id: number;
  body: string;
  user: UserRef;
  createdAt: string;
  updatedAt: string;
}

export interface PullData {
  id: number;
  headRef: string;
  /** Head and base commits as last seen; refreshed from the repository while the pull is open. */
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  mergedBy: UserRef | null;
}

/** An issue, or the issue side of a pull request (they share numbers as on GitHub). */
export interface IssueRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  user: UserRef;
  labels: string[];
  state: 'open' | 'closed';
  stateReason: string | null;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: CommentRecord[];
  pull?: PullData;
}

export interface WebhookDelivery {
  /** The `X-GitHub-Delivery` GUID; a redelivery reuses it. */
  id: string;
  event: string;
  action?: string;
  url: string;
  /** The exact body sent, and its parsed form. */
  body: string;
  payload: any;
  requestHeaders: Record<string, string>;
  /** HTTP status the target answered, or undefined when the request failed (see `error`). */
  status?: number;
  responseBody?: string;
  error?: string;
  redelivery: boolean;
  deliveredAt: string;
  durationMs: number;
}

export interface RequestLogEntry {
  requestId: string;
  at: string;
  method: string;
  /** Path as requested, including any `/api/v3` prefix, without the query. */
  path: string;
  query: string;
  kind: 'rest' | 'git';
  status: number;
  /** Who the request authenticated as. */
  auth:
    | { kind: 'anonymous' }
    | { kind: 'installation'; installationId: number; appId: number }
    | { kind: 'app'; appId: number }
    | { kind: 'pat'; login: string }
    | { kind: 'invalid' };
  /** Whether the answer was an injected fault. */
  injected: boolean;
}
