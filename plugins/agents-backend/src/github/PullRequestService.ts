import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import type {
  AgentsPolicy,
  PullRequestState,
  Session,
  SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import { DateTime } from 'luxon';
import type { PullRequestStore } from '../database/PullRequestStore';
import { sessionChangeOf } from '../database/sessionChanges';
import type { SessionStore } from '../database/SessionStore';
import type { SessionEventHub } from '../events/SessionEventHub';
import type { SessionLogs } from '../logs/SessionLogs';
import type { GitHubClients } from './GitHubClients';
import { describeGitHubError, isGitHubStatus } from './githubErrors';
import { githubRepoOf, type GitHubRepo } from './githubRepo';
import { sessionPageUrl } from '../notifications/sessionPageUrl';

const PR_PERMISSIONS = { contents: 'read', pull_requests: 'write' } as const;

/**
 * Opens the pull request of a session's work branch after a run pushed to it, or updates the one
 * already open, and keeps its state (open, merged, closed) fresh. Progress and failures go to the
 * session's log, where the user sees them. Rate limits and server errors are retried as GitHub
 * advises; a sync that still fails is caught up by the periodic pass.
 */
export class PullRequestService {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      clients: GitHubClients;
      integrations: ScmIntegrationRegistry;
      sessions: Pick<SessionStore, 'getSession'>;
      pullRequests: PullRequestStore;
      logs: SessionLogs;
      hub: SessionEventHub;
      logger: LoggerService;
      /** Where the session page lives, for the link in the pull request. */
      appBaseUrl: string;
    },
  ) {}

  /** Brings the pull request up to date with the session's latest run; never throws. */
  sync(sessionId: string): Promise<void> {
    const running = this.inFlight.get(sessionId);
    if (running) return running;
    const sync = this.syncNow(sessionId)
      .catch(error => this.deps.logger.warn(`Pull request sync of session ${sessionId} failed: ${error}`))
      .finally(() => this.inFlight.delete(sessionId));
    this.inFlight.set(sessionId, sync);
    return sync;
  }

  /** Catches up syncs that were missed and refreshes the state of open pull requests. */
  async catchUp(options: { refreshOlderThanMinutes: number }): Promise<void> {
    const { pullRequests } = this.deps;
    for (const session of await pullRequests.sessionsAwaitingPullRequest(50)) {
      await this.sync(session.id);
    }
    const stale = DateTime.utc().minus({ minutes: options.refreshOlderThanMinutes }).toISO()!;
    for (const session of await pullRequests.sessionsWithOpenPullRequests(100)) {
      if (session.updatedAt > stale) continue;
      await this.refreshState(session).catch(error =>
        this.deps.logger.warn(`Refreshing the pull request of session ${session.id} failed: ${error}`),
      );
    }
  }

  private async syncNow(sessionId: string): Promise<void> {
    const { sessions, pullRequests, integrations } = this.deps;
    const session = await sessions.getSession(sessionId);
    if (!session?.headCommit) return;
    const run = session.runs[session.runs.length - 1];
    const policy = session.policy.snapshot as Partial<AgentsPolicy>;
    const repo = githubRepoOf(session.repoUrl, integrations);
    if (!repo || !run.result?.pushed || policy.openPullRequest === false) {
      // Nothing to open: a repository outside GitHub, nothing new pushed, or a policy without PRs.
      await pullRequests.setPullRequest(session.id, { syncedCommit: session.headCommit });
      return;
    }
    try {
      const pull = await this.upsert(session, repo, policy.draftPullRequest ?? true);
      await pullRequests.setPullRequest(session.id, {
        url: pull.url,
        state: pull.state,
        syncedCommit: session.headCommit,
      });
      await this.note(session, `${pull.created ? 'Opened' : 'Updated'} pull request #${pull.number}: ${pull.url}`);
      // Views of the session reload on this (a signal), and show the pull request.
      this.deps.hub.publish({ type: 'updated', session: sessionChangeOf(session) });
    } catch (error) {
      const message = describeGitHubError(error, `Opening the pull request of ${session.workBranch}`);
      await this.note(session, message);
      // Rate limits and server errors are worth another try later; other answers will not change.
      const status = (error as { status?: number }).status;
      if (status !== undefined && status !== 429 && status < 500 && !isRateLimited(error)) {
        await pullRequests.setPullRequest(session.id, { syncedCommit: session.headCommit });
      }
      throw new Error(message);
    }
  }

  private async upsert(session: SessionWithRuns, repo: GitHubRepo, draft: boolean) {
    const octokit = await this.deps.clients.clientFor(repo, PR_PERMISSIONS);
    const head = `${repo.owner}:${session.workBranch}`;
    const findOpen = async () =>
      (await octokit.rest.pulls.list({ owner: repo.owner, repo: repo.repo, head, state: 'open' })).data[0];
    const { title, body } = this.describe(session);

    let existing = await findOpen();
    if (!existing) {
      const base =
        session.baseBranch ??
        (await octokit.rest.repos.get({ owner: repo.owner, repo: repo.repo })).data.default_branch;
      try {
        const { data } = await octokit.rest.pulls.create({
          owner: repo.owner,
          repo: repo.repo,
          head: session.workBranch,
          base,
          title,
          body,
          draft,
        });
        return { number: data.number, url: data.html_url, state: 'open' as PullRequestState, created: true };
      } catch (error) {
        // Another writer opened it in between: update that one instead.
        if (!isGitHubStatus(error, 422)) throw error;
        existing = await findOpen();
        if (!existing) throw error;
      }
    }
    const { data } = await octokit.rest.pulls.update({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: existing.number,
      title,
      body,
    });
    return { number: data.number, url: data.html_url, state: pullState(data), created: false };
  }

  private async refreshState(session: Session) {
    const repo = githubRepoOf(session.repoUrl, this.deps.integrations);
    const number = Number(/\/pull\/(\d+)/.exec(session.prUrl ?? '')?.[1]);
    if (!repo || !number) return;
    const octokit = await this.deps.clients.clientFor(repo, PR_PERMISSIONS);
    const { data } = await octokit.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: number });
    const state = pullState(data);
    if (state === session.prState) return;
    await this.deps.pullRequests.setPullRequest(session.id, { state });
    this.deps.hub.publish({ type: 'updated', session: sessionChangeOf(session) });
  }

  private describe(session: SessionWithRuns) {
    const run = session.runs[session.runs.length - 1];
    const summary = (run.result?.summary ?? session.summary ?? '').trim();
    const firstLine = (summary || session.prompt.trim()).split('\n')[0];
    const title = firstLine.length > 72 ? `${firstLine.slice(0, 71)}…` : firstLine;
    const link = sessionPageUrl(this.deps.appBaseUrl, session.id);
    const closes = session.issueUrl ? `\n\nCloses ${session.issueUrl}` : '';
    const body = [
      summary || '_The agent left no summary._',
      '',
      '---',
      `Opened by Agents for Backstage for session [${session.id.split('-')[0]}](${link}) (${session.harness}, ${session.runs.length} run${session.runs.length === 1 ? '' : 's'}) on \`${session.entityRef}\`.`,
      '',
      `> ${session.prompt.trim().split('\n')[0]}`,
    ].join('\n');
    return { title, body: `${body}${closes}` };
  }

  private async note(session: SessionWithRuns, line: string) {
    const run = session.runs[session.runs.length - 1];
    await this.deps.logs.append(session.id, run.id, [
      { timestamp: DateTime.utc().toISO()!, line: `==> ${line}` },
    ]);
  }
}

function pullState(pull: { state: string; merged?: boolean | null; merged_at?: string | null }): PullRequestState {
  if (pull.merged || pull.merged_at) return 'merged';
  return pull.state === 'closed' ? 'closed' : 'open';
}

function isRateLimited(error: unknown): boolean {
  const headers = (error as { response?: { headers?: Record<string, string> } }).response?.headers;
  return headers?.['x-ratelimit-remaining'] === '0' || headers?.['retry-after'] !== undefined;
}
