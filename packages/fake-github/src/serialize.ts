/** GitHub's JSON shapes for the fake's records. */
import {
  CommentRecord,
  IssueRecord,
  IssuedToken,
  RepoRecord,
  UserRef,
} from './model';
import { AppRecord, GitHubStore, InstallationRecord } from './store';

export interface Urls {
  /** Where the web UI and git live, e.g. `http://127.0.0.1:4321`. */
  web: string;
  /** The REST base the request used: `web`, or `web + /api/v3`. */
  api: string;
}

const nodeId = (prefix: string, id: number) =>
  `${prefix}_${Buffer.from(`fake:${id}`).toString('base64url')}`;

export function userJson(store: GitHubStore, urls: Urls, user: UserRef) {
  const id = store.userId(user.login);
  return {
    login: user.login,
    id,
    node_id: nodeId(
      { Bot: 'BOT', Organization: 'O', User: 'U' }[user.type],
      id,
    ),
    avatar_url: `${urls.web}/avatars/u/${id}`,
    gravatar_id: '',
    url: `${urls.api}/users/${encodeURIComponent(user.login)}`,
    html_url: `${urls.web}/${user.type === 'Bot' ? 'apps/' : ''}${user.login}`,
    type: user.type,
    site_admin: false,
  };
}

function ownerRef(store: GitHubStore, owner: string): UserRef {
  const installation = [...store.apps.values()]
    .flatMap(a => a.installations)
    .find(i => i.account.toLowerCase() === owner.toLowerCase());
  return { login: owner, type: installation?.accountType ?? 'Organization' };
}

export function repoJson(
  store: GitHubStore,
  urls: Urls,
  repo: RepoRecord,
  defaultBranch: string,
  permissions?: {
    admin: boolean;
    maintain: boolean;
    push: boolean;
    triage: boolean;
    pull: boolean;
  },
) {
  const fullName = `${repo.owner}/${repo.name}`;
  const api = `${urls.api}/repos/${fullName}`;
  return {
    id: repo.id,
    node_id: nodeId('R', repo.id),
    name: repo.name,
    full_name: fullName,
    private: repo.private,
    owner: userJson(store, urls, ownerRef(store, repo.owner)),
    html_url: `${urls.web}/${fullName}`,
    description: null,
    fork: false,
    url: api,
    pulls_url: `${api}/pulls{/number}`,
    issues_url: `${api}/issues{/number}`,
    git_url: `${urls.web.replace(/^https?:/, 'git:')}/${fullName}.git`,
    ssh_url: `git@${new URL(urls.web).host}:${fullName}.git`,
    clone_url: `${urls.web}/${fullName}.git`,
    svn_url: `${urls.web}/${fullName}`,
    homepage: null,
    size: 0,
    visibility: repo.private ? 'private' : 'public',
    default_branch: defaultBranch,
    archived: false,
    disabled: false,
    has_issues: true,
    has_pull_requests: true,
    allow_merge_commit: true,
    allow_squash_merge: true,
    allow_rebase_merge: false,
    delete_branch_on_merge: false,
    created_at: repo.createdAt,
    updated_at: repo.createdAt,
    pushed_at: repo.createdAt,
    ...(permissions ? { permissions } : {}),
  };
}

function labelJson(
  store: GitHubStore,
  urls: Urls,
  issue: IssueRecord,
  name: string,
) {
  const repo = store.findRepo(issue.owner, issue.repo)!;
  const label = store.label(repo, name);
  return {
    id: label.id,
    node_id: nodeId('LA', label.id),
    url: `${urls.api}/repos/${issue.owner}/${
      issue.repo
    }/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: null,
  };
}

export function labelsJson(store: GitHubStore, urls: Urls, issue: IssueRecord) {
  return issue.labels.map(name => labelJson(store, urls, issue, name));
}

export function labelByName(
  store: GitHubStore,
  urls: Urls,
  issue: IssueRecord,
  name: string,
) {
  return labelJson(store, urls, issue, name);
}

function authorAssociation(issueOwner: string, user: UserRef) {
  if (user.type === 'Bot') return 'NONE';
  return user.login.toLowerCase() === issueOwner.toLowerCase()
    ? 'OWNER'
    : 'CONTRIBUTOR';
}

export function issueJson(store: GitHubStore, urls: Urls, issue: IssueRecord) {
  const repoApi = `${urls.api}/repos/${issue.owner}/${issue.repo}`;
  const web = `${urls.web}/${issue.owner}/${issue.repo}`;
  return {
    url: `${repoApi}/issues/${issue.number}`,
    repository_url: repoApi,
    labels_url: `${repoApi}/issues/${issue.number}/labels{/name}`,
    comments_url: `${repoApi}/issues/${issue.number}/comments`,
    events_url: `${repoApi}/issues/${issue.number}/events`,
    html_url: `${web}/${issue.pull ? 'pull' : 'issues'}/${issue.number}`,
    id: issue.id,
    node_id: nodeId('I', issue.id),
    number: issue.number,
    title: issue.title,
    user: userJson(store, urls, issue.user),
    labels: labelsJson(store, urls, issue),
    state: issue.state,
    state_reason: issue.stateReason,
    locked: false,
    assignee: null,
    assignees: [],
    milestone: null,
    comments: issue.comments.length,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    author_association: authorAssociation(issue.owner, issue.user),
    active_lock_reason: null,
    body: issue.body,
    ...(issue.pull
      ? {
          draft: issue.pull.draft,
          pull_request: {
            url: `${repoApi}/pulls/${issue.number}`,
            html_url: `${web}/pull/${issue.number}`,
            diff_url: `${web}/pull/${issue.number}.diff`,
            patch_url: `${web}/pull/${issue.number}.patch`,
            merged_at: issue.pull.mergedAt,
          },
        }
      : {}),
  };
}

export function commentJson(
  store: GitHubStore,
  urls: Urls,
  issue: IssueRecord,
  comment: CommentRecord,
) {
  const repoApi = `${urls.api}/repos/${issue.owner}/${issue.repo}`;
  const web = `${urls.web}/${issue.owner}/${issue.repo}`;
  return {
    id: comment.id,
    node_id: nodeId('IC', comment.id),
    url: `${repoApi}/issues/comments/${comment.id}`,
    html_url: `${web}/${issue.pull ? 'pull' : 'issues'}/${
      issue.number
    }#issuecomment-${comment.id}`,
    issue_url: `${repoApi}/issues/${issue.number}`,
    body: comment.body,
    user: userJson(store, urls, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: authorAssociation(issue.owner, comment.user),
  };
}

export interface PullExtras {
  repo: ReturnType<typeof repoJson>;
  /** Present for the single-pull form (GET/POST/PATCH one pull), absent in lists, as on GitHub. */
  details?: {
    commits: number;
    additions: number;
    deletions: number;
    changedFiles: number;
  };
}

export function pullJson(
  store: GitHubStore,
  urls: Urls,
  issue: IssueRecord,
  extras: PullExtras,
) {
  const pull = issue.pull!;
  const repoApi = `${urls.api}/repos/${issue.owner}/${issue.repo}`;
  const web = `${urls.web}/${issue.owner}/${issue.repo}`;
  const owner = userJson(store, urls, ownerRef(store, issue.owner));
  const base = {
    url: `${repoApi}/pulls/${issue.number}`,
    id: pull.id,
    node_id: nodeId('PR', pull.id),
    html_url: `${web}/pull/${issue.number}`,
    diff_url: `${web}/pull/${issue.number}.diff`,
    patch_url: `${web}/pull/${issue.number}.patch`,
    issue_url: `${repoApi}/issues/${issue.number}`,
    commits_url: `${repoApi}/pulls/${issue.number}/commits`,
    review_comments_url: `${repoApi}/pulls/${issue.number}/comments`,
    comments_url: `${repoApi}/issues/${issue.number}/comments`,
    statuses_url: `${repoApi}/statuses/${pull.headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: userJson(store, urls, issue.user),
    body: issue.body,
    labels: labelsJson(store, urls, issue),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pull.mergedAt,
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${issue.owner}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      user: owner,
      repo: extras.repo,
    },
    base: {
      label: `${issue.owner}:${pull.baseRef}`,
      ref: pull.baseRef,
      sha: pull.baseSha,
      user: owner,
      repo: extras.repo,
    },
    author_association: authorAssociation(issue.owner, issue.user),
    auto_merge: null,
    draft: pull.draft,
  };
  if (!extras.details) return base;
  return {
    ...base,
    merged: pull.merged,
    mergeable: issue.state === 'open' ? true : null,
    rebaseable: issue.state === 'open' ? false : null,
    mergeable_state: issue.state === 'open' ? 'clean' : 'unknown',
    merged_by: pull.mergedBy ? userJson(store, urls, pull.mergedBy) : null,
    comments: issue.comments.length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: extras.details.commits,
    additions: extras.details.additions,
    deletions: extras.details.deletions,
    changed_files: extras.details.changedFiles,
  };
}

export function appJson(store: GitHubStore, urls: Urls, app: AppRecord) {
  const owner = app.installations[0]?.account ?? 'fake-github';
  return {
    id: app.appId,
    slug: app.slug,
    node_id: nodeId('A', app.appId),
    client_id: app.clientId,
    owner: userJson(store, urls, { login: owner, type: 'Organization' }),
    name: app.name,
    description: 'An App of the fake GitHub',
    external_url: urls.web,
    html_url: `${urls.web}/apps/${app.slug}`,
    created_at: app.createdAt,
    updated_at: app.createdAt,
    permissions: app.permissions,
    events: ['issues', 'issue_comment', 'pull_request'],
    installations_count: app.installations.length,
  };
}

export function installationJson(
  store: GitHubStore,
  urls: Urls,
  installation: InstallationRecord,
) {
  const app = store.apps.get(installation.appId)!;
  const account = userJson(store, urls, {
    login: installation.account,
    type: installation.accountType,
  });
  return {
    id: installation.id,
    account,
    repository_selection:
      installation.repositories === 'all' ? 'all' : 'selected',
    access_tokens_url: `${urls.api}/app/installations/${installation.id}/access_tokens`,
    repositories_url: `${urls.api}/installation/repositories`,
    html_url: `${urls.web}/${
      installation.accountType === 'User'
        ? 'settings'
        : `organizations/${installation.account}/settings`
    }/installations/${installation.id}`,
    app_id: app.appId,
    app_slug: app.slug,
    client_id: app.clientId,
    target_id: account.id,
    target_type: installation.accountType,
    permissions: installation.permissions,
    events: ['issues', 'issue_comment', 'pull_request'],
    created_at: installation.createdAt,
    updated_at: installation.createdAt,
    single_file_name: null,
    has_multiple_single_files: false,
    single_file_paths: [],
    suspended_by: null,
    suspended_at: null,
  };
}

export function tokenJson(
  token: IssuedToken,
  repositories: unknown[] | undefined,
) {
  return {
    token: token.token,
    expires_at: token.expiresAt.replace(/\.\d{3}Z$/, 'Z'),
    permissions: token.permissions,
    repository_selection: token.repositorySelection,
    ...(repositories ? { repositories } : {}),
  };
}
