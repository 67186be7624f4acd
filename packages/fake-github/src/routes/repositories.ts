import { permissionOf, Principal } from '../auth';
import { GitHubError } from '../errors';
import type { RepoRecord } from '../model';
import { route, Route } from '../restRouter';
import { levelAtLeast } from '../store';
import { visibleRepo } from './access';
import type { RestContext } from './restContext';

const DOC = {
  repo: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  branch: 'https://docs.github.com/rest/branches/branches#get-a-branch',
};

/** The `permissions` block GitHub adds to a repository for an authenticated caller. */
const repoPermissions = (principal: Principal, repo: RepoRecord) => {
  const contents = permissionOf(principal, 'contents', repo);
  const admin = principal.kind === 'pat';
  return {
    admin,
    maintain: admin,
    push: levelAtLeast(contents, 'write'),
    triage: levelAtLeast(contents, 'write'),
    pull: true,
  };
};

/** A repository and its branches. */
export function repositoryRoutes({ store, actions }: RestContext): Route[] {
  return [
    route('GET', '/repos/:owner/:repo', async (req, [owner, name]) => {
      const repo = visibleRepo(store, req, owner, name, DOC.repo);
      return {
        status: 200,
        body: await actions.repoJson(
          repo,
          req.urls,
          req.principal.kind === 'anonymous'
            ? undefined
            : repoPermissions(req.principal, repo),
        ),
      };
    }),

    route(
      'GET',
      '/repos/:owner/:repo/branches/:branch',
      async (req, [owner, name, branch]) => {
        const repo = visibleRepo(store, req, owner, name, DOC.branch);
        const ref = decodeURIComponent(branch);
        const sha = await store.git(repo).branchSha(ref);
        if (!sha) throw new GitHubError(404, 'Branch not found', DOC.branch);
        const api = `${req.urls.api}/repos/${repo.owner}/${repo.name}`;
        return {
          status: 200,
          body: {
            name: ref,
            commit: { sha, url: `${api}/commits/${sha}` },
            protected: false,
            _links: {
              self: `${api}/branches/${encodeURIComponent(ref)}`,
              html: `${req.urls.web}/${repo.owner}/${repo.name}/tree/${ref}`,
            },
          },
        };
      },
    ),
  ];
}
