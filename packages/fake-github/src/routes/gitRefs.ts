import { GitHubError, notFound, validationFailed } from '../errors';
import { isSafeRefName } from '../git';
import type { RepoRecord } from '../model';
import { route, Route } from '../restRouter';
import type { Urls } from '../serialize';
import { permittedRepo } from './access';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = {
  getRef: 'https://docs.github.com/rest/git/refs#get-a-reference',
  createRef: 'https://docs.github.com/rest/git/refs#create-a-reference',
};

/** A reference as GitHub answers it; `ref` is the full name (`refs/heads/main`). */
function refJson(urls: Urls, repo: RepoRecord, ref: string, sha: string) {
  const api = `${urls.api}/repos/${repo.owner}/${repo.name}`;
  return {
    ref,
    node_id: Buffer.from(`Ref:${repo.owner}/${repo.name}:${ref}`).toString(
      'base64',
    ),
    url: `${api}/git/${ref}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

/** Git references (branches) read and created by name, as a client creates a branch from another's head. */
export function gitRefRoutes({ store }: RestContext): Route[] {
  return [
    // `ref` is `heads/<branch>` (slashes included); only branches are kept by the fake.
    route('GET', '/repos/:owner/:repo/git/ref/*ref', async (req, params) => {
      const [owner, name, ref] = params;
      const repo = permittedRepo(
        store,
        req,
        [owner, name],
        [['contents', 'read']],
        DOC.getRef,
      );
      const full = `refs/${ref}`;
      const sha =
        ref.startsWith('heads/') && isSafeRefName(full)
          ? await store.git(repo).branchSha(ref.slice('heads/'.length))
          : undefined;
      if (!sha) throw notFound(DOC.getRef);
      return { status: 200, body: refJson(req.urls, repo, full, sha) };
    }),

    route('POST', '/repos/:owner/:repo/git/refs', async (req, params) => {
      const repo = permittedRepo(
        store,
        req,
        params,
        [['contents', 'write']],
        DOC.createRef,
      );
      const body = bodyObject(req);
      const ref = body.ref;
      const sha = body.sha;
      if (typeof ref !== 'string' || typeof sha !== 'string')
        throw validationFailed(DOC.createRef, [
          {
            resource: 'Reference',
            field: typeof ref !== 'string' ? 'ref' : 'sha',
            code: 'missing_field',
          },
        ]);
      if (
        !ref.startsWith('refs/') ||
        ref.split('/').length < 3 ||
        !isSafeRefName(ref)
      )
        throw new GitHubError(
          422,
          "Reference name must start with 'refs/' and have at least two slashes.",
          DOC.createRef,
        );
      const git = store.git(repo);
      const commit = /^[0-9a-f]{40}$/i.test(sha)
        ? await git.resolveCommit(sha)
        : undefined;
      if (!commit)
        throw new GitHubError(422, 'Object does not exist', DOC.createRef);
      if (!(await git.createRef(ref, commit)))
        throw new GitHubError(422, 'Reference already exists', DOC.createRef);
      return { status: 201, body: refJson(req.urls, repo, ref, commit) };
    }),
  ];
}
