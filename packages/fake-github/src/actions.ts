import { GitHubError } from './errors';
import {
  CommentRecord,
  IssueRecord,
  RepoRecord,
  UserRef,
  WebhookDelivery,
} from './model';
import {
  commentJson,
  issueJson,
  labelByName,
  pullJson,
  repoJson,
  Urls,
  userJson,
} from './serialize';
import { GitHubStore } from './store';
import { WebhookSender } from './webhooks';

const MERGE_DOC =
  'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request';

/** Mutations shared by the REST API, the admin endpoints and the in-process API, with their webhooks. */
export class Actions {
  constructor(
    readonly store: GitHubStore,
    readonly webhooks: WebhookSender,
    private readonly webhookUrls: () => Urls,
  ) {}

  async repoJson(
    repo: RepoRecord,
    urls: Urls,
    permissions?: Parameters<typeof repoJson>[4],
  ) {
    const defaultBranch = await this.store.git(repo).defaultBranch();
    return repoJson(this.store, urls, repo, defaultBranch, permissions);
  }

  /** Follows the branches of an open pull request, as GitHub does when they are pushed to. */
  async refreshPull(repo: RepoRecord, issue: IssueRecord): Promise<void> {
    const pull = issue.pull;
    if (!pull || issue.state !== 'open') return;
    const git = this.store.git(repo);
    pull.headSha = (await git.branchSha(pull.headRef)) ?? pull.headSha;
    pull.baseSha = (await git.branchSha(pull.baseRef)) ?? pull.baseSha;
  }

  /** The pull request in GitHub's single-pull form (with merged, commits, additions …). */
  async pullJson(repo: RepoRecord, issue: IssueRecord, urls: Urls) {
    await this.refreshPull(repo, issue);
    const pull = issue.pull!;
    const git = this.store.git(repo);
    let details = { commits: 0, additions: 0, deletions: 0, changedFiles: 0 };
    try {
      details = {
        commits: await git.commitsAhead(pull.baseSha, pull.headSha),
        ...(await git.diffStat(pull.baseSha, pull.headSha)),
      };
    } catch {
      // A branch or commit that is gone leaves the figures at zero.
    }
    return pullJson(this.store, urls, issue, {
      repo: await this.repoJson(repo, urls),
      details,
    });
  }

  /** The pull request in GitHub's list form. */
  async pullListJson(repo: RepoRecord, issue: IssueRecord, urls: Urls) {
    await this.refreshPull(repo, issue);
    return pullJson(this.store, urls, issue, {
      repo: await this.repoJson(repo, urls),
    });
  }

  async createIssue(
    repo: RepoRecord,
    fields: {
      title: string;
      body?: string | null;
      labels?: string[];
      user: UserRef;
    },
  ): Promise<{ issue: IssueRecord; deliveries: WebhookDelivery[] }> {
    const issue = this.store.addIssue(repo, {
      title: fields.title,
      body: fields.body ?? null,
      user: fields.user,
      labels: fields.labels,
    });
    const deliveries = [
      await this.sendIssues(repo, issue, 'opened', fields.user),
    ];
    // Labels given at creation also arrive as `labeled` events, one per label.
    for (const label of issue.labels)
      deliveries.push(
        await this.sendIssues(repo, issue, 'labeled', fields.user, label),
      );
    return { issue, deliveries: compact(deliveries) };
  }

  async addLabels(
    repo: RepoRecord,
    issue: IssueRecord,
    labels: string[],
    user: UserRef,
  ): Promise<WebhookDelivery[]> {
    const deliveries: Array<WebhookDelivery | undefined> = [];
    for (const label of labels) {
      if (!this.store.addLabel(repo, issue, label)) continue;
      issue.updatedAt = new Date().toISOString();
      deliveries.push(
        await this.sendIssues(repo, issue, 'labeled', user, label),
      );
    }
    return compact(deliveries);
  }

  async addComment(
    repo: RepoRecord,
    issue: IssueRecord,
    body: string,
    user: UserRef,
  ): Promise<{ comment: CommentRecord; deliveries: WebhookDelivery[] }> {
    const now = new Date().toISOString();
    const comment: CommentRecord = {
      id: this.store.nextId('comment'),
      body,
      user,
      createdAt: now,
      updatedAt: now,
    };
    issue.comments.push(comment);
    issue.updatedAt = now;
    this.store.userId(user.login);
    const urls = this.webhookUrls();
    const delivery = await this.send(repo, 'issue_comment', user, {
      action: 'created',
      issue: issueJson(this.store, urls, issue),
      comment: commentJson(this.store, urls, issue, comment),
    });
    return { comment, deliveries: compact([delivery]) };
  }

  /**
   * Merges an open pull request: writes the merge into the base branch of the bare repository (a merge
   * commit, or one squashed commit) and marks the pull merged and closed. 405 when it is not open or the
   * branches conflict.
   */
  async mergePull(
    repo: RepoRecord,
    issue: IssueRecord,
    options: {
      method?: 'merge' | 'squash';
      user: UserRef;
      commitTitle?: string;
      commitMessage?: string;
      sha?: string;
    },
  ): Promise<string> {
    const pull = issue.pull!;
    if (issue.state !== 'open')
      throw new GitHubError(405, 'Pull Request is not mergeable', MERGE_DOC);
    await this.refreshPull(repo, issue);
    if (options.sha && options.sha !== pull.headSha)
      throw new GitHubError(
        409,
        'Head branch was modified. Review and try the merge again.',
        MERGE_DOC,
      );
    const method = options.method ?? 'merge';
    const title =
      options.commitTitle ??
      (method === 'merge'
        ? `Merge pull request #${issue.number} from ${repo.owner}/${pull.headRef}`
        : `${issue.title} (#${issue.number})`);
    const message = [
      title,
      options.commitMessage ?? (method === 'merge' ? issue.title : ''),
    ]
      .filter(Boolean)
      .join('\n\n');
    const commit = await this.store.git(repo).merge({
      base: pull.baseRef,
      head: pull.headSha,
      method,
      message,
    });
    if (!commit)
      throw new GitHubError(405, 'Pull Request is not mergeable', MERGE_DOC);
    const now = new Date().toISOString();
    pull.merged = true;
    pull.mergedAt = now;
    pull.mergeCommitSha = commit;
    pull.mergedBy = options.user;
    issue.state = 'closed';
    issue.closedAt = now;
    issue.updatedAt = now;
    return commit;
  }

  closeIssue(issue: IssueRecord): void {
    if (issue.state === 'closed') return;
    const now = new Date().toISOString();
    issue.state = 'closed';
    issue.stateReason = issue.pull ? null : 'completed';
    issue.closedAt = now;
    issue.updatedAt = now;
  }

  private sendIssues(
    repo: RepoRecord,
    issue: IssueRecord,
    action: string,
    user: UserRef,
    label?: string,
  ) {
    const urls = this.webhookUrls();
    return this.send(repo, 'issues', user, {
      action,
      issue: issueJson(this.store, urls, issue),
      ...(label ? { label: labelByName(this.store, urls, issue, label) } : {}),
    });
  }

  /** Sends one event about a repository, adding repository, organization, sender and installation. */
  private async send(
    repo: RepoRecord,
    event: string,
    sender: UserRef,
    fields: Record<string, unknown>,
  ): Promise<WebhookDelivery | undefined> {
    if (!this.webhooks.target) return undefined;
    const urls = this.webhookUrls();
    const repository = await this.repoJson(repo, urls);
    const [installation] = this.store.installationsFor(repo);
    const payload = {
      ...fields,
      repository,
      ...(repository.owner.type === 'Organization'
        ? {
            organization: {
              login: repository.owner.login,
              id: repository.owner.id,
              node_id: repository.owner.node_id,
              url: `${urls.api}/orgs/${repository.owner.login}`,
              description: null,
            },
          }
        : {}),
      sender: userJson(this.store, urls, sender),
      ...(installation
        ? {
            installation: {
              id: installation.id,
              node_id: Buffer.from(
                `fake:installation:${installation.id}`,
              ).toString('base64url'),
            },
          }
        : {}),
    };
    return this.webhooks.send(
      event,
      payload,
      installation
        ? { id: installation.appId, type: 'integration' }
        : { id: repo.id, type: 'repository' },
    );
  }
}

function compact<T>(items: Array<T | undefined>): T[] {
  return items.filter((i): i is T => i !== undefined);
}
