import type { LoggerService } from '@backstage/backend-plugin-api';
import type { GithubAppConfig, ScmIntegrationRegistry } from '@backstage/integration';
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import type { GitHubRepo } from './githubRepo';
import { describeGitHubError, isGitHubStatus } from './githubErrors';

/** Octokit with GitHub's advice on retries built in: rate limits are waited out, 5xx retried. */
const GitHubOctokit = Octokit.plugin(throttling, retry);
type GitHubOctokitInstance = InstanceType<typeof GitHubOctokit>;

/** The longest wait for a rate limit to reset before a call fails instead. */
const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/** What a run's pod may do with its token: push the work branch and nothing else of note. */
export const RUN_TOKEN_PERMISSIONS = { contents: 'write', pull_requests: 'write' } as const;

/** A token for one repository. */
export interface RepoToken {
  token: string;
  /** ISO 8601; absent for a personal access token. */
  expiresAt?: string;
  kind: 'app-installation' | 'personal-access-token';
}

/**
 * Authenticated GitHub clients per repository, from Backstage's `integrations.github` config: a
 * GitHub App installation token restricted to the one repository (preferred), or the integration's
 * personal access token as a fallback, with a warning. Backstage's own credentials provider mints
 * installation-wide tokens, so tokens are minted here, scoped per call.
 */
export class GitHubClients {
  constructor(
    private readonly deps: {
      integrations: ScmIntegrationRegistry;
      logger: LoggerService;
      /** For tests: how long a retry waits between attempts. */
      retryAfterBaseValue?: number;
    },
  ) {}

  /** A token for `repo`, limited to `permissions`; throws a clear error when none can be had. */
  async tokenFor(
    repo: GitHubRepo,
    permissions: Record<string, 'read' | 'write'> = RUN_TOKEN_PERMISSIONS,
  ): Promise<RepoToken> {
    const integration = this.deps.integrations.github.byHost(repo.host);
    const apps = integration?.config.apps ?? [];
    const failures: string[] = [];
    for (const app of apps) {
      const appClient = this.appClient(app, repo.apiBaseUrl);
      let installationId: number;
      try {
        const { data } = await appClient.rest.apps.getRepoInstallation({
          owner: repo.owner,
          repo: repo.repo,
        });
        installationId = data.id;
      } catch (error) {
        if (isGitHubStatus(error, 404)) {
          failures.push(`app ${app.appId} is not installed on ${repo.owner}/${repo.repo}`);
          continue;
        }
        throw new Error(describeGitHubError(error, `Finding the GitHub App installation of ${repo.owner}/${repo.repo}`));
      }
      try {
        const auth = (await appClient.auth({
          type: 'installation',
          installationId,
          repositoryNames: [repo.repo],
          permissions,
          // A fresh token per run: a cached one could expire before the run ends.
          refresh: true,
        })) as { token: string; expiresAt: string };
        return { token: auth.token, expiresAt: auth.expiresAt, kind: 'app-installation' };
      } catch (error) {
        throw new Error(describeGitHubError(error, `Minting a token for ${repo.owner}/${repo.repo}`));
      }
    }
    const pat = integration?.config.token;
    if (pat) {
      this.deps.logger.warn(
        `Using the personal access token of integrations.github (${repo.host}) for ${repo.owner}/${repo.repo}: it is not limited to the repository; configure a GitHub App instead${failures.length ? ` (${failures.join('; ')})` : ''}`,
      );
      return { token: pat, kind: 'personal-access-token' };
    }
    throw new Error(
      apps.length
        ? `No GitHub App of integrations.github (${repo.host}) can access ${repo.owner}/${repo.repo}: ${failures.join('; ')}; install the app on the repository`
        : `integrations.github has no GitHub App or token for ${repo.host}; configure one to run agents on ${repo.owner}/${repo.repo}`,
    );
  }

  /** A REST client for `repo` acting with a fresh repository-scoped token. */
  async clientFor(
    repo: GitHubRepo,
    permissions: Record<string, 'read' | 'write'>,
  ): Promise<GitHubOctokitInstance> {
    const { token } = await this.tokenFor(repo, permissions);
    return this.octokit({ auth: token, baseUrl: repo.apiBaseUrl });
  }

  /**
   * The app's own client: finds installations and mints tokens. Not queued by the throttling plugin,
   * whose write queue is one request a second for the whole process: minting a token is a POST, so
   * a fan-out of 200 tasks would wait 200 s for its tokens (a 40-session burst waited 40 s). Those
   * are not the content-creating writes GitHub's secondary limits are about; a 429 is still retried.
   */
  private appClient(app: GithubAppConfig, baseUrl: string): GitHubOctokitInstance {
    return this.octokit(
      {
        authStrategy: createAppAuth,
        auth: { appId: app.appId, privateKey: app.privateKey.replace(/\\n/g, '\n') },
        baseUrl,
      },
      { throttled: false },
    );
  }

  private octokit(options: Record<string, unknown>, { throttled = true } = {}): GitHubOctokitInstance {
    const { logger } = this.deps;
    const mayWait = (what: string) => (retryAfter: number, request: any, _o: unknown, retryCount: number) => {
      const ok = retryCount < 2 && retryAfter <= MAX_RATE_LIMIT_WAIT_SECONDS;
      logger.warn(
        `GitHub ${what} for ${request.method} ${request.url}: ${ok ? `retrying in ${retryAfter} s` : 'giving up'}`,
      );
      return ok;
    };
    return new GitHubOctokit({
      ...options,
      userAgent: 'backstage-agents',
      throttle: {
        enabled: throttled,
        onRateLimit: mayWait('rate limit'),
        onSecondaryRateLimit: mayWait('secondary rate limit'),
      },
      retry: { retryAfterBaseValue: this.deps.retryAfterBaseValue },
      log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    });
  }
}
