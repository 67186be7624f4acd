import { IncomingHttpHeaders } from 'node:http';
import { Actions } from './actions';
import {
  canSee,
  loginOf,
  permissionOf,
  Principal,
  requirePermission,
} from './auth';
import { CONTENTS_DOC, getContents } from './contents';
import {
  DOCS,
  GitHubError,
  jwtNotDecoded,
  notFound,
  requiresAuthentication,
  validationFailed,
} from './errors';
import { IssueRecord, Permissions, RepoRecord, UserRef } from './model';
import type { RestResult } from './restResult';
import {
  appJson,
  commentJson,
  installationJson,
  issueJson,
  tokenJson,
  Urls,
} from './serialize';
import {
  GitHubStore,
  InstallationRecord,
  isPermissionLevel,
  levelAtLeast,
} from './store';

export interface RestRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query. */
  path: string;
  query: URLSearchParams;
  body: any;
  /** The request's headers (Accept, If-None-Match …). */
  headers: IncomingHttpHeaders;
  principal: Principal;
  urls: Urls;
}

interface Route {
  method: string;
  pattern: RegExp;
  handler: (req: RestRequest, params: string[]) => Promise<RestResult>;
}

const DOC = {
  app: 'https://docs.github.com/rest/apps/apps#get-the-authenticated-app',
  installations:
    'https://docs.github.com/rest/apps/apps#list-installations-for-the-authenticated-app',
  installation:
    'https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app',
  accessToken:
    'https://docs.github.com/rest/apps/apps#create-an-installation-access-token-for-an-app',
  repoInstallation:
    'https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app',
  orgInstallation:
    'https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app',
  userInstallation:
    'https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app',
  installationRepos:
    'https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation',
  revoke:
    'https://docs.github.com/rest/apps/installations#revoke-an-installation-access-token',
  repo: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  branch: 'https://docs.github.com/rest/branches/branches#get-a-branch',
  listPulls: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
  createPull: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  getPull: 'https://docs.github.com/rest/pulls/pulls#get-a-pull-request',
  updatePull: 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request',
  mergePull: 'https://docs.github.com/rest/pulls/pulls#merge-a-pull-request',
  getIssue: 'https://docs.github.com/rest/issues/issues#get-an-issue',
  listComments:
    'https://docs.github.com/rest/issues/comments#list-issue-comments',
  createComment:
    'https://docs.github.com/rest/issues/comments#create-an-issue-comment',
  rateLimit:
    'https://docs.github.com/rest/rate-limit/rate-limit#get-rate-limit-status-for-the-authenticated-user',
};

/** Query paging as GitHub does it: `per_page` (default 30, at most 100) and `page`, with a Link header. */
function paginate<T>(
  items: T[],
  req: RestRequest,
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(
    Math.max(Number(req.query.get('per_page')) || 30, 1),
    100,
  );
  const pageNo = Math.max(Number(req.query.get('page')) || 1, 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number, rel: string) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    q.set('per_page', String(perPage));
    return `<${req.urls.api}${req.path}?${q}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (pageNo > 1) links.push(link(pageNo - 1, 'prev'));
  if (pageNo < last) links.push(link(pageNo + 1, 'next'));
  if (pageNo < last) links.push(link(last, 'last'));
  if (pageNo > 1) links.push(link(1, 'first'));
  return {
    page: items.slice((pageNo - 1) * perPage, pageNo * perPage),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}

function requireApp(req: RestRequest, doc: string) {
  if (req.principal.kind === 'app') return req.principal.app;
  if (req.principal.kind === 'anonymous') throw requiresAuthentication(doc);
  // An installation token or PAT where an App JWT is needed.
  throw jwtNotDecoded();
}

function ownInstallation(req: RestRequest, id: number, doc: string) {
  const app = requireApp(req, doc);
  const installation = app.installations.find(i => i.id === id);
  if (!installation) throw notFound(doc);
  return installation;
}

function bodyObject(req: RestRequest): Record<string, any> {
  const body = req.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw new GitHubError(400, 'Problems parsing JSON', DOCS);
  return body;
}

const userOf = (store: GitHubStore, principal: Principal): UserRef =>
  principal.kind === 'installation'
    ? store.botUser(principal.token.appId)
    : { login: loginOf(store, principal), type: 'User' };

/** The REST endpoints; see the README for what each enforces. */
export function restRoutes(store: GitHubStore, actions: Actions): Route[] {
  /** The repository, or 404 (GitHub hides repositories the caller cannot reach). */
  const visibleRepo = (
    req: RestRequest,
    owner: string,
    name: string,
    doc: string,
  ) => {
    const repo = store.findRepo(owner, name);
    if (!repo || !canSee(store, req.principal, repo)) {
      if (req.principal.kind === 'app')
        throw new GitHubError(
          403,
          'Resource not accessible by integration',
          doc,
        );
      throw notFound(doc);
    }
    return repo;
  };

  const findIssue = (repo: RepoRecord, n: string, doc: string): IssueRecord => {
    const issue = store.findIssue(repo, Number(n));
    if (!issue) throw notFound(doc);
    return issue;
  };

  const findPull = (repo: RepoRecord, n: string, doc: string): IssueRecord => {
    const issue = findIssue(repo, n, doc);
    if (!issue.pull) throw notFound(doc);
    return issue;
  };

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

  const issuePermission = (issue: IssueRecord, level: 'read' | 'write') =>
    issue.pull
      ? ([
          ['issues', level],
          ['pull_requests', level],
        ] as Array<[string, 'read' | 'write']>)
      : ([['issues', level]] as Array<[string, 'read' | 'write']>);

  /** The repository, once the caller is seen to hold one of `wanted` on it (else 404, 401 or 403). */
  const permittedRepo = (
    req: RestRequest,
    [owner, name]: string[],
    wanted: Array<[string, 'read' | 'write']>,
    doc: string,
  ) => {
    const repo = visibleRepo(req, owner, name, doc);
    requirePermission(req.principal, repo, wanted, doc);
    return repo;
  };

  /** A pull request; the permission is checked before the number is looked up. */
  const permittedPull = (
    req: RestRequest,
    [owner, name, n]: string[],
    wanted: Array<[string, 'read' | 'write']>,
    doc: string,
  ) => {
    const repo = permittedRepo(req, [owner, name], wanted, doc);
    return { repo, issue: findPull(repo, n, doc) };
  };

  /** An issue or pull request: which permission it takes depends on which it is, so it is looked up first. */
  const permittedIssue = (
    req: RestRequest,
    [owner, name, n]: string[],
    level: 'read' | 'write',
    doc: string,
  ) => {
    const repo = visibleRepo(req, owner, name, doc);
    const issue = findIssue(repo, n, doc);
    requirePermission(req.principal, repo, issuePermission(issue, level), doc);
    return { repo, issue };
  };

  const routes: Route[] = [];
  // `:name` is one path segment; a trailing `/*name` is the rest of the path, slashes included, or ''.
  const route = (method: string, path: string, handler: Route['handler']) => {
    const pattern = new RegExp(
      `^${path
        .replace(/:[a-z_]+/g, '([^/]+)')
        .replace(/\/\*[a-z_]+$/, '(?:/(.*))?')}$`,
    );
    routes.push({ method, pattern, handler });
  };

  // ---- rate limit ---------------------------------------------------------------------------
  // Answered by the server itself (it needs the caller's bucket); listed here for the 404/405 logic.

  // ---- Apps ---------------------------------------------------------------------------------

  route('GET', '/app', async req => ({
    status: 200,
    body: appJson(store, req.urls, requireApp(req, DOC.app)),
  }));

  route('GET', '/app/installations', async req => {
    const app = requireApp(req, DOC.installations);
    const { page, headers } = paginate(app.installations, req);
    return {
      status: 200,
      body: page.map(i => installationJson(store, req.urls, i)),
      headers,
    };
  });

  route('GET', '/app/installations/:id', async (req, [id]) => ({
    status: 200,
    body: installationJson(
      store,
      req.urls,
      ownInstallation(req, Number(id), DOC.installation),
    ),
  }));

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
  });

  route(
    'GET',
    '/repos/:owner/:repo/installation',
    async (req, [owner, name]) => {
      const app = requireApp(req, DOC.repoInstallation);
      const repo = store.findRepo(owner, name);
      const installation =
        repo && app.installations.find(i => store.installationCovers(i, repo));
      if (!installation) throw notFound(DOC.repoInstallation);
      return {
        status: 200,
        body: installationJson(store, req.urls, installation),
      };
    },
  );

  for (const [prefix, doc] of [
    ['/orgs', DOC.orgInstallation],
    ['/users', DOC.userInstallation],
  ]) {
    route('GET', `${prefix}/:account/installation`, async (req, [account]) => {
      const app = requireApp(req, doc);
      const installation = app.installations.find(
        i => i.account.toLowerCase() === account.toLowerCase(),
      );
      if (!installation) throw notFound(doc);
      return {
        status: 200,
        body: installationJson(store, req.urls, installation),
      };
    });
  }

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
  });

  route('DELETE', '/installation/token', async req => {
    if (req.principal.kind !== 'installation')
      throw new GitHubError(401, 'Bad credentials', DOC.revoke);
    req.principal.token.revoked = true;
    return { status: 204 };
  });

  // ---- repositories -------------------------------------------------------------------------

  route('GET', '/repos/:owner/:repo', async (req, [owner, name]) => {
    const repo = visibleRepo(req, owner, name, DOC.repo);
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
  });

  route(
    'GET',
    '/repos/:owner/:repo/branches/:branch',
    async (req, [owner, name, branch]) => {
      const repo = visibleRepo(req, owner, name, DOC.branch);
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
  );

  route(
    'GET',
    '/repos/:owner/:repo/contents/*path',
    async (req, [owner, name, path]) => {
      const repo = permittedRepo(
        req,
        [owner, name],
        [['contents', 'read']],
        CONTENTS_DOC,
      );
      const header = (h: string) => {
        const v = req.headers[h];
        return Array.isArray(v) ? v.join(', ') : v;
      };
      return getContents({
        git: store.git(repo),
        repo,
        urls: req.urls,
        path,
        ref: req.query.get('ref'),
        accept: header('accept'),
        ifNoneMatch: header('if-none-match'),
      });
    },
  );

  // ---- pull requests ------------------------------------------------------------------------

  route('GET', '/repos/:owner/:repo/pulls', async (req, params) => {
    const repo = permittedRepo(
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
  });

  route('POST', '/repos/:owner/:repo/pulls', async (req, params) => {
    const repo = permittedRepo(
      req,
      params,
      [['pull_requests', 'write']],
      DOC.createPull,
    );
    const body = bodyObject(req);
    const missing = ['title', 'head', 'base'].filter(
      f => typeof body[f] !== 'string' || !body[f],
    );
    if (missing.length)
      throw validationFailed(
        DOC.createPull,
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
        DOC.createPull,
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
      throw validationFailed(DOC.createPull, [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${repo.owner}:${headRef}.`,
        },
      ]);
    if ((await git.commitsAhead(baseSha!, headSha!)) === 0)
      throw validationFailed(DOC.createPull, [
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
  });

  route('GET', '/repos/:owner/:repo/pulls/:n', async (req, params) => {
    const { repo, issue } = permittedPull(
      req,
      params,
      [['pull_requests', 'read']],
      DOC.getPull,
    );
    return {
      status: 200,
      body: await actions.pullJson(repo, issue, req.urls),
    };
  });

  route('PATCH', '/repos/:owner/:repo/pulls/:n', async (req, params) => {
    const { repo, issue } = permittedPull(
      req,
      params,
      [['pull_requests', 'write']],
      DOC.updatePull,
    );
    const pull = issue.pull!;
    const body = bodyObject(req);
    if (
      body.state !== undefined &&
      body.state !== 'open' &&
      body.state !== 'closed'
    )
      throw validationFailed(DOC.updatePull, [
        { resource: 'PullRequest', field: 'state', code: 'invalid' },
      ]);
    const git = store.git(repo);
    if (typeof body.base === 'string' && body.base !== pull.baseRef) {
      const baseSha = await git.branchSha(body.base);
      if (!baseSha || issue.state !== 'open')
        throw validationFailed(DOC.updatePull, [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      pull.baseRef = body.base;
      pull.baseSha = baseSha;
    }
    if (body.state === 'open' && issue.state === 'closed') {
      if (pull.merged)
        throw validationFailed(DOC.updatePull, [
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
        throw validationFailed(DOC.updatePull, [
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
        throw validationFailed(DOC.updatePull, [
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
  });

  route('PUT', '/repos/:owner/:repo/pulls/:n/merge', async (req, params) => {
    const { repo, issue } = permittedPull(
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
  });

  // ---- issues -------------------------------------------------------------------------------

  route('GET', '/repos/:owner/:repo/issues/:n', async (req, params) => {
    const { repo, issue } = permittedIssue(req, params, 'read', DOC.getIssue);
    await actions.refreshPull(repo, issue);
    return { status: 200, body: issueJson(store, req.urls, issue) };
  });

  route(
    'GET',
    '/repos/:owner/:repo/issues/:n/comments',
    async (req, params) => {
      const { issue } = permittedIssue(req, params, 'read', DOC.listComments);
      const { page, headers } = paginate(issue.comments, req);
      return {
        status: 200,
        headers,
        body: page.map(c => commentJson(store, req.urls, issue, c)),
      };
    },
  );

  route(
    'POST',
    '/repos/:owner/:repo/issues/:n/comments',
    async (req, params) => {
      const { repo, issue } = permittedIssue(
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
  );

  return routes;
}

/** Dispatches a REST request: 404 for unknown paths (GitHub answers 404, not 405, for a wrong method). */
export async function dispatchRest(
  routes: Route[],
  req: RestRequest,
): Promise<RestResult> {
  for (const r of routes) {
    if (r.method !== req.method) continue;
    const match = r.pattern.exec(req.path);
    // An optional group that did not match (`/*path` at the root) is ''.
    if (match)
      return r.handler(
        req,
        match.slice(1).map(p => decodeURIComponent(p ?? '')),
      );
  }
  throw notFound(DOCS);
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
