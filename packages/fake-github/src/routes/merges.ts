import { GitHubError } from '../errors';
import { isSafeRefName } from '../git';
import { route, Route } from '../restRouter';
import { permittedRepo } from './access';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = 'https://docs.github.com/rest/branches/branches#merge-a-branch';

/**
 * `POST /repos/{o}/{r}/merges`: merges `head` (a branch or commit) into the branch `base` with a merge
 * commit. 201 with the commit; 204 when base already contains head; 409 on a conflict; 404 when either
 * is missing.
 */
export function mergeRoutes({ store }: RestContext): Route[] {
  return [
    route('POST', '/repos/:owner/:repo/merges', async (req, params) => {
      const repo = permittedRepo(
        store,
        req,
        params,
        [['contents', 'write']],
        DOC,
      );
      const body = bodyObject(req);
      const { base, head } = body;
      if (typeof base !== 'string' || typeof head !== 'string')
        throw new GitHubError(
          422,
          `Invalid request.\n\n"${typeof base !== 'string' ? 'base' : 'head'}" wasn't supplied.`,
          DOC,
        );
      const git = store.git(repo);
      const baseSha = isSafeRefName(base)
        ? await git.branchSha(base)
        : undefined;
      if (!baseSha) throw new GitHubError(404, 'Base does not exist', DOC);
      const headSha = await git.resolveCommit(head);
      if (!headSha) throw new GitHubError(404, 'Head does not exist', DOC);
      if (await git.isAncestor(headSha, baseSha)) return { status: 204 };
      const message =
        typeof body.commit_message === 'string' && body.commit_message
          ? body.commit_message
          : `Merge ${head} into ${base}`;
      const sha = await git.merge({
        base,
        head: headSha,
        method: 'merge',
        message,
      });
      if (!sha) throw new GitHubError(409, 'Merge conflict', DOC);
      const api = `${req.urls.api}/repos/${repo.owner}/${repo.name}`;
      return {
        status: 201,
        body: {
          sha,
          node_id: Buffer.from(`Commit:${sha}`).toString('base64'),
          url: `${api}/commits/${sha}`,
          html_url: `${req.urls.web}/${repo.owner}/${repo.name}/commit/${sha}`,
          commit: { message, url: `${api}/git/commits/${sha}` },
          parents: [baseSha, headSha].map(p => ({
            sha: p,
            url: `${api}/commits/${p}`,
          })),
        },
      };
    }),
  ];
}
