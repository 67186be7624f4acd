import { GitHubError } from '../errors';
import type { Permissions, RepoRecord } from '../model';
import { route, Route } from '../restRouter';
import { tokenJson } from '../serialize';
import {
  GitHubStore,
  InstallationRecord,
  isPermissionLevel,
  levelAtLeast,
} from '../store';
import { ownInstallation } from './callers';
import { paginate } from './paging';
import { bodyObject } from './requestBody';
import type { RestContext } from './restContext';

const DOC = {
  accessToken:
    'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app',
  installationRepos:
    'https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation',
  revoke:
    'https://docs.github.com/rest/apps/installations#revoke-an-installation-access-token',
};

/** Installation access tokens: minting (App JWT), and what a token lists and revokes about itself. */
export function installationTokenRoutes({
  store,
  actions,
}: RestContext): Route[] {
  return [
    route('POST', '/app/installations/:id/access_tokens', async (req, [id]) => {
      const installation = ownInstallation(req, Number(id), DOC.accessToken);
      const body = bodyObject(req);
      const permissions = tokenPermissions(installation, body.permissions);
      const repositories = tokenRepositories(store, installation, body);
      const token = store.issueToken(installation, {
        repositories,
        permissions,
      });
      const repoList =
        token.repositorySelection === 'selected'
          ? await Promise.all(
              (repositories ?? store.installationRepos(installation)).map(r =>
                actions.repoJson(r, req.urls),
              ),
            )
          : undefined;
      return { status: 201, body: tokenJson(token, repoList) };
    }),

    route('GET', '/installation/repositories', async req => {
      if (req.principal.kind !== 'installation')
        throw new GitHubError(
          403,
          'You must authenticate with an installation access token in order to list repositories for an installation.',
          DOC.installationRepos,
        );
      const token = req.principal.token;
      const repos = [...store.repos.values()].filter(r =>
        store.tokenCovers(token, r),
      );
      const { page, headers } = paginate(repos, req);
      return {
        status: 200,
        headers,
        body: {
          total_count: repos.length,
          repository_selection: token.repositorySelection,
          repositories: await Promise.all(
            page.map(r => actions.repoJson(r, req.urls)),
          ),
        },
      };
    }),

    route('DELETE', '/installation/token', async req => {
      if (req.principal.kind !== 'installation')
        throw new GitHubError(401, 'Bad credentials', DOC.revoke);
      req.principal.token.revoked = true;
      return { status: 204 };
    }),
  ];
}

/** Permissions for a new installation token: the installation's, or a subset of them. */
function tokenPermissions(
  installation: InstallationRecord,
  requested: unknown,
): Permissions {
  if (requested === undefined || requested === null)
    return { ...installation.permissions };
  const notGranted = new GitHubError(
    422,
    'The permissions requested are not granted to this installation.',
    DOC.accessToken,
  );
  if (typeof requested !== 'object' || Array.isArray(requested))
    throw notGranted;
  const result: Permissions = {};
  for (const [name, level] of Object.entries(requested as object)) {
    if (
      !isPermissionLevel(level) ||
      !levelAtLeast(installation.permissions[name], level)
    )
      throw notGranted;
    result[name] = level;
  }
  // Metadata read comes with every token.
  if (!result.metadata && installation.permissions.metadata)
    result.metadata = 'read';
  return result;
}

/** The repositories a new token is limited to (`repositories` names and/or `repository_ids`). */
function tokenRepositories(
  store: GitHubStore,
  installation: InstallationRecord,
  body: Record<string, any>,
): RepoRecord[] | undefined {
  const names: unknown = body.repositories ?? body.repository; // `repository` is an older single form
  const ids: unknown = body.repository_ids;
  const empty = (v: unknown) =>
    v === undefined || (Array.isArray(v) && v.length === 0);
  // As on GitHub, an empty list means no restriction: the token gets every repository of the installation.
  if (empty(names) && empty(ids)) return undefined;
  const inaccessible = new GitHubError(
    422,
    'There is at least one repository that does not exist or is not accessible to the parent installation.',
    DOC.accessToken,
  );
  const result: RepoRecord[] = [];
  const add = (repo: RepoRecord | undefined) => {
    if (!repo || !store.installationCovers(installation, repo))
      throw inaccessible;
    if (!result.includes(repo)) result.push(repo);
  };
  let nameList: unknown[] = [];
  if (Array.isArray(names)) nameList = names;
  else if (names !== undefined) nameList = [names];
  for (const n of nameList) {
    if (typeof n !== 'string') throw inaccessible;
    add(store.findRepo(installation.account, n));
  }
  if (ids !== undefined) {
    if (!Array.isArray(ids)) throw inaccessible;
    for (const id of ids) add(store.repoById(Number(id)));
  }
  return result;
}
