import type { ScmIntegrationRegistry } from '@backstage/integration';
import { InputError } from '@backstage/errors';
import type { GitHubClients } from './GitHubClients';
import { describeGitHubError, isGitHubStatus } from './githubErrors';
import { githubRepoOf, type GitHubRepo } from './githubRepo';

/** Creating a branch and merging into it writes contents; nothing else. */
const CONTENTS_WRITE = { contents: 'write' } as const;

/** How merging a branch into the integration branch went. */
export type BranchMerge =
  | { outcome: 'merged'; sha: string }
  | { outcome: 'up-to-date' }
  /** GitHub refused: a conflict (409) or a missing branch (404); `message` says which. */
  | { outcome: 'refused'; reason: 'conflict' | 'missing'; message: string };

/**
 * The integration branch of a fan-out that runs in waves, on GitHub: created from the base branch's
 * head, and merged into with the branches of a wave's tasks (server-side merges, no clone).
 */
export class IntegrationBranches {
  constructor(
    private readonly deps: { clients: Pick<GitHubClients, 'clientFor'>; integrations: ScmIntegrationRegistry },
  ) {}

  /**
   * Creates `branch` at the head of `from` (the repository's default branch when undefined) unless it
   * exists already. A repository GitHub cannot be reached for with the configured integration is the
   * caller's to fix (400).
   */
  async ensure(repoUrl: string, branch: string, from: string | undefined): Promise<void> {
    const { repo, octokit } = await this.client(repoUrl);
    const where = { owner: repo.owner, repo: repo.repo };
    try {
      await octokit.rest.git.getRef({ ...where, ref: `heads/${branch}` });
      return;
    } catch (error) {
      if (!isGitHubStatus(error, 404)) throw refusal(error, `Reading branch ${branch} of ${repo.owner}/${repo.repo}`);
    }
    try {
      const base = from ?? (await octokit.rest.repos.get(where)).data.default_branch;
      const head = await octokit.rest.git.getRef({ ...where, ref: `heads/${base}` }).catch(error => {
        throw isGitHubStatus(error, 404)
          ? new InputError(`Base branch ${base} of ${repo.owner}/${repo.repo} does not exist; the integration branch ${branch} is created from it`)
          : error;
      });
      await octokit.rest.git.createRef({ ...where, ref: `refs/heads/${branch}`, sha: head.data.object.sha });
    } catch (error) {
      // Another replica or request created it first: that is what was wanted.
      if (isGitHubStatus(error, 422) && /already exists/i.test(messageOf(error))) return;
      if (error instanceof InputError) throw error;
      throw refusal(error, `Creating the integration branch ${branch} of ${repo.owner}/${repo.repo}`);
    }
  }

  /** Merges `head` into `base` with a merge commit, on GitHub. Other failures than a refusal throw. */
  async merge(repoUrl: string, options: { base: string; head: string; message: string }): Promise<BranchMerge> {
    const { repo, octokit } = await this.client(repoUrl);
    try {
      const response = await octokit.rest.repos.merge({
        owner: repo.owner,
        repo: repo.repo,
        base: options.base,
        head: options.head,
        commit_message: options.message,
      });
      // Octokit types only the 201; GitHub answers 204 when base already contains head.
      return (response.status as number) === 204
        ? { outcome: 'up-to-date' }
        : { outcome: 'merged', sha: response.data.sha };
    } catch (error) {
      if (isGitHubStatus(error, 409)) return { outcome: 'refused', reason: 'conflict', message: messageOf(error) };
      if (isGitHubStatus(error, 404)) return { outcome: 'refused', reason: 'missing', message: messageOf(error) };
      throw new Error(describeGitHubError(error, `Merging ${options.head} into ${options.base}`));
    }
  }

  private async client(repoUrl: string) {
    const repo: GitHubRepo | undefined = githubRepoOf(repoUrl, this.deps.integrations);
    if (!repo) {
      throw new InputError(
        `${repoUrl} is not on a GitHub host of integrations.github: a fan-out in waves needs a GitHub App (contents: write) there to create and merge its integration branch; drop integrationBranch or configure the integration`,
      );
    }
    try {
      return { repo, octokit: await this.deps.clients.clientFor(repo, CONTENTS_WRITE) };
    } catch (error) {
      // No app or token for the host, or the app is not installed on the repository: configuration to fix.
      const message = (error as Error).message;
      if (!/integrations\.github|install the app/.test(message)) throw error;
      throw new InputError(`${message}; a fan-out in waves needs it to create and merge its integration branch`);
    }
  }
}

function messageOf(error: unknown): string {
  const e = error as { message?: string; response?: { data?: { message?: string } } };
  return e.response?.data?.message ?? e.message ?? String(error);
}

/** GitHub's refusals of what the caller asked for are the caller's to fix; anything else is ours. */
function refusal(error: unknown, what: string): Error {
  const status = (error as { status?: number }).status;
  const message = describeGitHubError(error, what);
  return status !== undefined && status >= 400 && status < 500 && status !== 429 ? new InputError(message) : new Error(message);
}
