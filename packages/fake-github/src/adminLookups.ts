import { AdminError } from './adminError';
import type { IssueRecord, RepoRecord, UserRef } from './model';
import type { GitHubStore } from './store';

/*
 * Lookups for the in-process (and so the admin) API: unlike the REST routes they check no access and
 * say plainly what is missing, as AdminErrors.
 */

export function repoOrThrow(
  store: GitHubStore,
  owner: string,
  name: string,
): RepoRecord {
  const repo = store.findRepo(owner, name);
  if (!repo) throw new AdminError(404, `No repository ${owner}/${name}`);
  return repo;
}

export function issueOrThrow(
  store: GitHubStore,
  repo: RepoRecord,
  number: number,
): IssueRecord {
  const issue = store.findIssue(repo, number);
  if (!issue)
    throw new AdminError(
      404,
      `No issue or pull request #${number} in ${repo.owner}/${repo.name}`,
    );
  return issue;
}

export function pullOrThrow(
  store: GitHubStore,
  repo: RepoRecord,
  number: number,
): IssueRecord {
  const issue = issueOrThrow(store, repo, number);
  if (!issue.pull)
    throw new AdminError(
      404,
      `#${number} in ${repo.owner}/${repo.name} is not a pull request`,
    );
  return issue;
}

/** The acting user a test names (default `octocat`); a `[bot]` login is a Bot, as on GitHub. */
export const userRef = (login?: string): UserRef => ({
  login: login ?? 'octocat',
  type: /\[bot\]$/.test(login ?? '') ? 'Bot' : 'User',
});
