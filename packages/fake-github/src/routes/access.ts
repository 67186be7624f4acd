import { canSee, requirePermission } from '../auth';
import { GitHubError, notFound } from '../errors';
import type { IssueRecord, RepoRecord } from '../model';
import type { RestRequest } from '../restRouter';
import type { GitHubStore } from '../store';

/*
 * Repository, issue and pull request lookups with GitHub's access rules: the order of the checks
 * decides which of 404, 401 and 403 a caller sees, so every route goes through these.
 */

type Wanted = Array<[string, 'read' | 'write']>;

/** The repository, or 404 (GitHub hides repositories the caller cannot reach). */
export function visibleRepo(
  store: GitHubStore,
  req: RestRequest,
  owner: string,
  name: string,
  doc: string,
): RepoRecord {
  const repo = store.findRepo(owner, name);
  if (!repo || !canSee(store, req.principal, repo)) {
    if (req.principal.kind === 'app')
      throw new GitHubError(403, 'Resource not accessible by integration', doc);
    throw notFound(doc);
  }
  return repo;
}

function findIssue(
  store: GitHubStore,
  repo: RepoRecord,
  n: string,
  doc: string,
): IssueRecord {
  const issue = store.findIssue(repo, Number(n));
  if (!issue) throw notFound(doc);
  return issue;
}

const issuePermission = (issue: IssueRecord, level: 'read' | 'write') =>
  issue.pull
    ? ([
        ['issues', level],
        ['pull_requests', level],
      ] as Wanted)
    : ([['issues', level]] as Wanted);

/** The repository, once the caller is seen to hold one of `wanted` on it (else 404, 401 or 403). */
export function permittedRepo(
  store: GitHubStore,
  req: RestRequest,
  [owner, name]: string[],
  wanted: Wanted,
  doc: string,
): RepoRecord {
  const repo = visibleRepo(store, req, owner, name, doc);
  requirePermission(req.principal, repo, wanted, doc);
  return repo;
}

/** A pull request; the permission is checked before the number is looked up. */
export function permittedPull(
  store: GitHubStore,
  req: RestRequest,
  [owner, name, n]: string[],
  wanted: Wanted,
  doc: string,
) {
  const repo = permittedRepo(store, req, [owner, name], wanted, doc);
  const issue = findIssue(store, repo, n, doc);
  if (!issue.pull) throw notFound(doc);
  return { repo, issue };
}

/** An issue or pull request: which permission it takes depends on which it is, so it is looked up first. */
export function permittedIssue(
  store: GitHubStore,
  req: RestRequest,
  [owner, name, n]: string[],
  level: 'read' | 'write',
  doc: string,
) {
  const repo = visibleRepo(store, req, owner, name, doc);
  const issue = findIssue(store, repo, n, doc);
  requirePermission(req.principal, repo, issuePermission(issue, level), doc);
  return { repo, issue };
}
