import { validationFailed } from '../errors';
import type { IssueRecord } from '../model';
import { route, Route, RouteHandler } from '../restRouter';
import { permittedPull, permittedRepo } from './access';
import { userOf } from './callers';
import { createPull } from './createPull';
import { paginate } from './paging';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';
import { updatePull } from './updatePull';

const DOC = {
  listPulls: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
  getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  mergePull: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
};

/** `GET /repos/{o}/{r}/pulls`: head and base shas are refreshed first, so a push shows on the next read. */
const listPulls =
  ({ store, actions }: RestContext): RouteHandler =>
  async (req, params) => {
    const repo = permittedRepo(
      store,
      req,
      params,
      [['pull_requests', 'read']],
      DOC.listPulls,
    );
    const state = req.query.get('state') ?? 'open';
    const head = req.query.get('head');
    const base = req.query.get('base');
    let pulls = store.issuesOf(repo).filter(i => i.pull);
    for (const issue of pulls) await actions.refreshPull(repo, issue);
    if (state !== 'all') pulls = pulls.filter(i => i.state === state);
    // GitHub filters by head only in the `user:ref` (or bare `user`) form.
    if (head && head.includes(':')) {
      const [headOwner, ...rest] = head.split(':');
      const ref = rest.join(':');
      pulls = pulls.filter(
        i =>
          i.owner.toLowerCase() === headOwner.toLowerCase() &&
          i.pull!.headRef === ref,
      );
    }
    if (base) pulls = pulls.filter(i => i.pull!.baseRef === base);
    const sort = req.query.get('sort') ?? 'created';
    const direction =
      req.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
    const sortKey = (i: IssueRecord) =>
      sort === 'updated' ? i.updatedAt : i.createdAt;
    pulls = [...pulls].sort((a, b) => {
      const cmp = sortKey(a).localeCompare(sortKey(b)) || a.number - b.number;
      return direction === 'asc' ? cmp : -cmp;
    });
    const { page, headers } = paginate(pulls, req);
    return {
      status: 200,
      headers,
      body: await Promise.all(
        page.map(i => actions.pullListJson(repo, i, req.urls)),
      ),
    };
  };

/** Pull requests: list, create, read, update, merge. */
export function pullRoutes(ctx: RestContext): Route[] {
  const { store, actions } = ctx;
  return [
    route('GET', '/repos/:owner/:repo/pulls', listPulls(ctx)),
    route('POST', '/repos/:owner/:repo/pulls', createPull(ctx)),

    route('GET', '/repos/:owner/:repo/pulls/:n', async (req, params) => {
      const { repo, issue } = permittedPull(
        store,
        req,
        params,
        [['pull_requests', 'read']],
        DOC.getPull,
      );
      return {
        status: 200,
        body: await actions.pullJson(repo, issue, req.urls),
      };
    }),

    route('PATCH', '/repos/:owner/:repo/pulls/:n', updatePull(ctx)),

    route('PUT', '/repos/:owner/:repo/pulls/:n/merge', async (req, params) => {
      const { repo, issue } = permittedPull(
        store,
        req,
        params,
        [['contents', 'write']],
        DOC.mergePull,
      );
      const body = bodyObject(req);
      const method = body.merge_method ?? 'merge';
      if (method !== 'merge' && method !== 'squash')
        throw validationFailed(DOC.mergePull, [
          { resource: 'PullRequest', field: 'merge_method', code: 'invalid' },
        ]);
      const sha = await actions.mergePull(repo, issue, {
        method,
        user: userOf(store, req.principal),
        commitTitle: body.commit_title,
        commitMessage: body.commit_message,
        sha: body.sha,
      });
      return {
        status: 200,
        body: {
          sha,
          merged: true,
          message: 'Pull Request successfully merged',
        },
      };
    }),
  ];
}
