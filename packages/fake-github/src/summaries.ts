import type { CreatedRepo, IssueFields, PullSummary } from './fakeGitHub';
import type { IssueRecord, RepoRecord } from './model';

/*
 * Issues, pull requests and repositories as the plain data the in-process API hands to tests. `baseUrl`
 * is passed per call because it is known only once the server listens.
 */

/** Whether an issue lies in the (case-insensitive) owner and repository a filter names. */
export const matchesFilter = (
  issue: IssueRecord,
  filter?: { owner?: string; repo?: string },
) =>
  (!filter?.owner ||
    issue.owner.toLowerCase() === filter.owner.toLowerCase()) &&
  (!filter?.repo || issue.repo.toLowerCase() === filter.repo.toLowerCase());

/** An issue or pull request as plain data; `kind`'s fields stand after `state`, as they always have. */
export const summaryOf = <T extends object>(
  baseUrl: string,
  issue: IssueRecord,
  kind: T,
): IssueFields & T => ({
  owner: issue.owner,
  repo: issue.repo,
  number: issue.number,
  title: issue.title,
  body: issue.body,
  state: issue.state,
  ...kind,
  user: issue.user.login,
  labels: [...issue.labels],
  comments: issue.comments.map(c => ({
    id: c.id,
    body: c.body,
    user: c.user.login,
  })),
  htmlUrl: `${baseUrl}/${issue.owner}/${issue.repo}/${
    issue.pull ? 'pull' : 'issues'
  }/${issue.number}`,
});

export const pullSummary = (baseUrl: string, issue: IssueRecord): PullSummary =>
  summaryOf(baseUrl, issue, {
    draft: issue.pull!.draft,
    merged: issue.pull!.merged,
    mergedAt: issue.pull!.mergedAt,
    mergeCommitSha: issue.pull!.mergeCommitSha,
    head: { ref: issue.pull!.headRef, sha: issue.pull!.headSha },
    base: { ref: issue.pull!.baseRef, sha: issue.pull!.baseSha },
  });

export const repoSummary = (
  baseUrl: string,
  repo: RepoRecord,
): CreatedRepo => ({
  id: repo.id,
  owner: repo.owner,
  name: repo.name,
  dir: repo.dir,
  private: repo.private,
  cloneUrl: `${baseUrl}/${repo.owner}/${repo.name}.git`,
});
