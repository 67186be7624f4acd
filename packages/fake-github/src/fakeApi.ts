import { AdminError } from './adminError';
import {
  issueOrThrow,
  pullOrThrow,
  repoOrThrow,
  userRef,
} from './adminLookups';
import type { FakeGitHubContext } from './context';
import { GitHubError } from './errors';
import type { FakeGitHub } from './fakeGitHub';
import { createState } from './fakeState';
import { commentJson, issueJson } from './serialize';
import { pullSummary, repoSummary } from './summaries';

/**
 * The in-process API (`FakeGitHub`), which the admin endpoints call too. Failures are AdminErrors so
 * the admin endpoints can answer with their status. The URLs, port and `stop` are filled in by
 * `startFakeGitHub` once the server listens.
 */
export function createFakeApi(ctx: FakeGitHubContext): FakeGitHub {
  const { store, actions, webhooks } = ctx;
  return {
    url: '',
    apiUrl: '',
    enterpriseApiUrl: '',
    port: 0,
    reposDir: store.reposDir,
    gitUrl: (owner, repo) => `${ctx.baseUrl}/${owner}/${repo}.git`,
    faults: ctx.faults,
    state: createState(ctx),
    store,
    async createRepo(owner, name, repoOptions) {
      try {
        return repoSummary(
          ctx.baseUrl,
          await store.createRepo(owner, name, repoOptions),
        );
      } catch (error) {
        throw new AdminError(422, (error as Error).message);
      }
    },
    async commitFiles(owner, name, commit) {
      const repo = repoOrThrow(store, owner, name);
      const git = store.git(repo);
      const current = await git.branchSha(commit.branch);
      const parent = commit.from
        ? await git.branchSha(commit.from)
        : current ?? (await git.branchSha(await git.defaultBranch()));
      if (commit.from && !parent)
        throw new AdminError(404, `No branch ${commit.from}`);
      try {
        return await git.commitFiles({
          branch: commit.branch,
          files: commit.files,
          message:
            commit.message ?? `Update ${Object.keys(commit.files).join(', ')}`,
          parent,
          current,
        });
      } catch (error) {
        throw new AdminError(409, (error as Error).message);
      }
    },
    addApp(config) {
      try {
        store.addApp(config);
      } catch (error) {
        throw new AdminError(422, (error as Error).message);
      }
    },
    addInstallation(appId, installation) {
      try {
        store.addInstallation(appId, installation);
      } catch (error) {
        throw new AdminError(422, (error as Error).message);
      }
    },
    addPersonalAccessToken(pat) {
      store.pats.set(pat.token, pat);
    },
    expireToken(token) {
      const issued = store.tokens.get(token);
      if (!issued) throw new AdminError(404, 'No such installation token');
      issued.expiresAt = new Date(Date.now() - 1000).toISOString();
    },
    async createIssue(owner, name, fields) {
      const repo = repoOrThrow(store, owner, name);
      if (!fields?.title) throw new AdminError(422, 'title is required');
      const { issue, deliveries } = await actions.createIssue(repo, {
        title: fields.title,
        body: fields.body,
        labels: fields.labels,
        user: userRef(fields.user),
      });
      return { issue: issueJson(store, ctx.rootUrls(), issue), deliveries };
    },
    async addLabels(owner, name, number, labels, user) {
      const repo = repoOrThrow(store, owner, name);
      return actions.addLabels(
        repo,
        issueOrThrow(store, repo, number),
        labels,
        userRef(user),
      );
    },
    async addComment(owner, name, number, body, user) {
      const repo = repoOrThrow(store, owner, name);
      const issue = issueOrThrow(store, repo, number);
      if (!body) throw new AdminError(422, 'body is required');
      const { comment, deliveries } = await actions.addComment(
        repo,
        issue,
        body,
        userRef(user),
      );
      return {
        comment: commentJson(store, ctx.rootUrls(), issue, comment),
        deliveries,
      };
    },
    async mergePull(owner, name, number, mergeOptions) {
      const repo = repoOrThrow(store, owner, name);
      const issue = pullOrThrow(store, repo, number);
      try {
        await actions.mergePull(repo, issue, {
          method: mergeOptions?.method,
          user: userRef(mergeOptions?.user),
        });
      } catch (error) {
        // Merge conflicts and the like keep their status, without GitHub's REST body.
        if (error instanceof GitHubError)
          throw new AdminError(error.status, error.message);
        throw error;
      }
      return pullSummary(ctx.baseUrl, issue);
    },
    async closePull(owner, name, number) {
      const repo = repoOrThrow(store, owner, name);
      const issue = pullOrThrow(store, repo, number);
      await actions.refreshPull(repo, issue);
      actions.closeIssue(issue);
      return pullSummary(ctx.baseUrl, issue);
    },
    setWebhook(target) {
      webhooks.target = target;
    },
    async redeliver(deliveryId) {
      const delivery = await webhooks.redeliver(deliveryId);
      if (!delivery) throw new AdminError(404, `No delivery ${deliveryId}`);
      return delivery;
    },
    stop: async () => {},
  };
}
