import { Actions } from './actions';
import type { FakeGitHubOptions } from './fakeGitHub';
import { Faults } from './faults';
import type { RequestLogEntry } from './model';
import { RateLimits } from './rateLimits';
import { restRoutes } from './rest';
import type { Route } from './restRouter';
import type { Urls } from './serialize';
import { GitHubStore } from './store';
import { WebhookSender } from './webhooks';

/**
 * One fake GitHub's state, passed explicitly to every handler (REST, git, in-process API) so none of
 * them closes over another's variables.
 */
export class FakeGitHubContext {
  readonly faults = new Faults();
  readonly webhooks: WebhookSender;
  readonly actions: Actions;
  readonly routes: Route[];
  readonly rateLimits: RateLimits;
  /** REST and git requests served, oldest first; admin requests are not logged. */
  readonly requestLog: RequestLogEntry[] = [];
  /** '' until the server listens (the port may be chosen then); every URL in a response derives from it. */
  baseUrl = '';

  /** The state of a new fake: repositories found on disk, plus the configured Apps and tokens. */
  static async create(options: FakeGitHubOptions): Promise<FakeGitHubContext> {
    const store = new GitHubStore(options.reposDir);
    store.installationTokenTtlSeconds =
      options.installationTokenTtlSeconds ?? 3600;
    await store.discoverRepos();
    for (const app of options.apps ?? []) store.addApp(app);
    for (const pat of options.personalAccessTokens ?? [])
      store.pats.set(pat.token, pat);
    return new FakeGitHubContext(store, options);
  }

  private constructor(readonly store: GitHubStore, options: FakeGitHubOptions) {
    this.webhooks = new WebhookSender(options.webhook, 1);
    // Actions exists before the server listens and the base URL is known, so it reads the URLs at each use.
    this.actions = new Actions(store, this.webhooks, () => this.rootUrls());
    this.routes = restRoutes(store, this.actions);
    this.rateLimits = new RateLimits(store, options.rateLimit ?? 5000);
  }

  /** URLs for GitHub.com-style callers: web and API both at the root. */
  rootUrls(): Urls {
    return { web: this.baseUrl, api: this.baseUrl };
  }
}
