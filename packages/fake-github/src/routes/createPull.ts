import { validationFailed } from '../errors';
import type { RouteHandler } from '../restRouter';
import { permittedRepo } from './access';
import { userOf } from './callers';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request';

/** `POST /repos/{o}/{r}/pulls`: GitHub's 422s for missing fields, unknown branches, an open duplicate and no new commits, checked in that order. */
export const createPull =
  ({ store, actions }: RestContext): RouteHandler =>
  async (req, params) => {
    const repo = permittedRepo(
      store,
      req,
      params,
      [['pull_requests', 'write']],
      DOC,
    );
    const body = bodyObject(req);
    const missing = ['title', 'head', 'base'].filter(
      f => typeof body[f] !== 'string' || !body[f],
    );
    if (missing.length)
      throw validationFailed(
        DOC,
        missing.map(field => ({
          resource: 'PullRequest',
          code: 'missing_field',
          field,
        })),
      );
    const headSpec: string = body.head;
    const colon = headSpec.indexOf(':');
    const headOwner = colon >= 0 ? headSpec.slice(0, colon) : repo.owner;
    const headRef = colon >= 0 ? headSpec.slice(colon + 1) : headSpec;
    const baseRef: string = body.base;
    const git = store.git(repo);
    const headSha =
      headOwner.toLowerCase() === repo.owner.toLowerCase()
        ? await git.branchSha(headRef)
        : undefined; // pull requests from forks are not supported
    const baseSha = await git.branchSha(baseRef);
    const invalid = [
      ...(headSha ? [] : ['head']),
      ...(baseSha ? [] : ['base']),
    ];
    if (invalid.length)
      throw validationFailed(
        DOC,
        invalid.map(field => ({
          resource: 'PullRequest',
          field,
          code: 'invalid',
        })),
      );
    const existing = store
      .issuesOf(repo)
      .find(
        i =>
          i.pull &&
          i.state === 'open' &&
          i.pull.headRef === headRef &&
          i.pull.baseRef === baseRef,
      );
    if (existing)
      throw validationFailed(DOC, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner}:${headRef}.`,
        },
      ]);
    if ((await git.commitsAhead(baseSha!, headSha!)) === 0)
      throw validationFailed(DOC, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${baseRef} and ${headRef}`,
        },
      ]);
    const issue = store.addIssue(repo, {
      title: body.title,
      body: typeof body.body === 'string' ? body.body : null,
      user: userOf(store, req.principal),
      pull: {
        headRef,
        headSha: headSha!,
        baseRef,
        baseSha: baseSha!,
        draft: body.draft === true,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        mergedBy: null,
      },
    });
    return {
      status: 201,
      body: await actions.pullJson(repo, issue, req.urls),
      headers: {
        location: `${req.urls.api}/repos/${repo.owner}/${repo.name}/pulls/${issue.number}`,
      },
    };
  };
