import { validationFailed } from '../errors';
import { route, Route } from '../restRouter';
import { commentJson, issueJson } from '../serialize';
import { permittedIssue } from './access';
import { userOf } from './callers';
import { paginate } from './paging';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = {
  getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
  listComments:
    'https://docs.github.com/rest/issues/comments#list-issue-comments',
  createComment:
    'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
};

/** An issue (or pull request read as one) and its comments; issues themselves are made through the admin API. */
export function issueRoutes({ store, actions }: RestContext): Route[] {
  return [
    route('GET', '/repos/:owner/:repo/issues/:n', async (req, params) => {
      const { repo, issue } = permittedIssue(
        store,
        req,
        params,
        'read',
        DOC.getIssue,
      );
      await actions.refreshPull(repo, issue);
      return { status: 200, body: issueJson(store, req.urls, issue) };
    }),

    route(
      'GET',
      '/repos/:owner/:repo/issues/:n/comments',
      async (req, params) => {
        const { issue } = permittedIssue(
          store,
          req,
          params,
          'read',
          DOC.listComments,
        );
        const { page, headers } = paginate(issue.comments, req);
        return {
          status: 200,
          headers,
          body: page.map(c => commentJson(store, req.urls, issue, c)),
        };
      },
    ),

    route(
      'POST',
      '/repos/:owner/:repo/issues/:n/comments',
      async (req, params) => {
        const { repo, issue } = permittedIssue(
          store,
          req,
          params,
          'write',
          DOC.createComment,
        );
        const body = bodyObject(req);
        if (typeof body.body !== 'string' || !body.body)
          throw validationFailed(DOC.createComment, [
            { resource: 'IssueComment', code: 'missing_field', field: 'body' },
          ]);
        const { comment } = await actions.addComment(
          repo,
          issue,
          body.body,
          userOf(store, req.principal),
        );
        return {
          status: 201,
          body: commentJson(store, req.urls, issue, comment),
          headers: {
            location: `${req.urls.api}/repos/${repo.owner}/${repo.name}/issues/comments/${comment.id}`,
          },
        };
      },
    ),
  ];
}
