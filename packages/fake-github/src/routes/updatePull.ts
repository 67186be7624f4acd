import { validationFailed } from '../errors';
import type { RouteHandler } from '../restRouter';
import { permittedPull } from './access';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request';

/** `PATCH /repos/{o}/{r}/pulls/{n}`: title, body, base, and closing or reopening (which GitHub refuses in three cases). */
export const updatePull =
  ({ store, actions }: RestContext): RouteHandler =>
  async (req, params) => {
    const { repo, issue } = permittedPull(
      store,
      req,
      params,
      [['pull_requests', 'write']],
      DOC,
    );
    const pull = issue.pull!;
    const body = bodyObject(req);
    if (
      body.state !== undefined &&
      body.state !== 'open' &&
      body.state !== 'closed'
    )
      throw validationFailed(DOC, [
        { resource: 'PullRequest', field: 'state', code: 'invalid' },
      ]);
    const git = store.git(repo);
    if (typeof body.base === 'string' && body.base !== pull.baseRef) {
      const baseSha = await git.branchSha(body.base);
      if (!baseSha || issue.state !== 'open')
        throw validationFailed(DOC, [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      pull.baseRef = body.base;
      pull.baseSha = baseSha;
    }
    if (body.state === 'open' && issue.state === 'closed') {
      if (pull.merged)
        throw validationFailed(DOC, [
          {
            resource: 'PullRequest',
            code: 'custom',
            field: 'state',
            message:
              'state cannot be changed. The pull request has been merged.',
          },
        ]);
      const headSha = await git.branchSha(pull.headRef);
      if (!headSha)
        throw validationFailed(DOC, [
          {
            resource: 'PullRequest',
            code: 'custom',
            field: 'state',
            message: 'state cannot be changed. The head branch was deleted.',
          },
        ]);
      const other = store
        .issuesOf(repo)
        .find(
          i =>
            i !== issue &&
            i.pull &&
            i.state === 'open' &&
            i.pull.headRef === pull.headRef &&
            i.pull.baseRef === pull.baseRef,
        );
      if (other)
        throw validationFailed(DOC, [
          {
            resource: 'PullRequest',
            code: 'custom',
            message: `A pull request already exists for ${repo.owner}:${pull.headRef}.`,
          },
        ]);
      issue.state = 'open';
      issue.closedAt = null;
    } else if (body.state === 'closed') {
      await actions.refreshPull(repo, issue);
      actions.closeIssue(issue);
    }
    if (typeof body.title === 'string') issue.title = body.title;
    if (typeof body.body === 'string' || body.body === null)
      issue.body = body.body;
    issue.updatedAt = new Date().toISOString();
    return {
      status: 200,
      body: await actions.pullJson(repo, issue, req.urls),
    };
  };
