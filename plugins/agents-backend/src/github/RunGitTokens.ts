import type { ScmIntegrationRegistry } from '@backstage/integration';
import type { SessionWithRuns } from '@backstage-agents/plugin-agents-common';
import type { GitTokenSource } from '../runtime/Launcher';
import type { GitHubClients } from './GitHubClients';
import { githubRepoOf } from './githubRepo';

/**
 * The Git token of a run: a GitHub App installation token for the session's repository alone
 * (contents and pull requests: write), expiring within the hour. Repositories outside the
 * configured GitHub hosts (a mirror, a local repository in development) get none.
 */
export class RunGitTokens implements GitTokenSource {
  constructor(
    private readonly clients: GitHubClients,
    private readonly integrations: ScmIntegrationRegistry,
  ) {}

  async tokenFor(session: SessionWithRuns): Promise<string> {
    const repo = githubRepoOf(session.repoUrl, this.integrations);
    if (!repo) return '';
    return (await this.clients.tokenFor(repo)).token;
  }
}
