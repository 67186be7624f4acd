import { randomBytes } from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { Actions } from './actions';
import { handleAdmin, ADMIN_PREFIX } from './admin';
import { AdminError } from './adminError';
import {
  authenticate,
  loginOf,
  logAuth,
  Principal,
  readCredential,
} from './auth';
import { GitHubError } from './errors';
import type {
  CreatedRepo,
  FakeGitHub,
  FakeGitHubOptions,
  FakeGitHubState,
  IssueFields,
  PullSummary,
} from './fakeGitHub';
import { Faults, ResolvedFault } from './faults';
import {
  authorizeGit,
  GIT_PATH,
  runHttpBackend,
  sendGitDenied,
} from './gitHttp';
import { IssueRecord, RepoRecord, RequestLogEntry, UserRef } from './model';
import { dispatchRest, restRoutes } from './rest';
import { commentJson, issueJson, Urls } from './serialize';
import { GitHubStore } from './store';
import { WebhookSender } from './webhooks';

const RATE_LIMIT_DOC =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOC =
  'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';
const ANONYMOUS_LIMIT = 60;
const MAX_BODY = 10 * 1024 * 1024;

interface Bucket {
  used: number;
  reset: number;
}

function requestId(): string {
  const hex = (n: number) => randomBytes(n).toString('hex').toUpperCase();
  return `${hex(2)}:${hex(2)}:${hex(3)}:${hex(3)}:${hex(4)}`;
}

/** Starts the fake GitHub. */
export async function startFakeGitHub(
  options: FakeGitHubOptions,
): Promise<FakeGitHub> {
  const store = new GitHubStore(options.reposDir);
  store.installationTokenTtlSeconds =
    options.installationTokenTtlSeconds ?? 3600;
  await store.discoverRepos();
  for (const app of options.apps ?? []) store.addApp(app);
  for (const pat of options.personalAccessTokens ?? [])
    store.pats.set(pat.token, pat);

  const faults = new Faults();
  const webhooks = new WebhookSender(options.webhook, 1);
  const requestLog: RequestLogEntry[] = [];
  const buckets = new Map<string, Bucket>();
  const rateLimit = options.rateLimit ?? 5000;
  let baseUrl = '';
  const rootUrls = (): Urls => ({ web: baseUrl, api: baseUrl });
  const actions = new Actions(store, webhooks, rootUrls);
  const routes = restRoutes(store, actions);

  // ---- rate limits --------------------------------------------------------------------------

  const bucketOf = (principal: Principal | undefined, ip: string) => {
    switch (principal?.kind) {
      case 'installation':
        return {
          key: `installation:${principal.token.installationId}`,
          limit: rateLimit,
          exceeded: `API rate limit exceeded for installation ID ${principal.token.installationId}.`,
        };
      case 'pat':
        return {
          key: `user:${principal.pat.login.toLowerCase()}`,
          limit: rateLimit,
          exceeded: `API rate limit exceeded for user ID ${store.userId(
            principal.pat.login,
          )}.`,
        };
      case 'app':
        return {
          key: `app:${principal.app.appId}`,
          limit: rateLimit,
          exceeded: `API rate limit exceeded for app ID ${principal.app.appId}.`,
        };
      default:
        return {
          key: `ip:${ip}`,
          limit: ANONYMOUS_LIMIT,
          exceeded: `API rate limit exceeded for ${ip}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`,
        };
    }
  };

  const bucket = (key: string, nowSec: number): Bucket => {
    let b = buckets.get(key);
    if (!b || b.reset <= nowSec) {
      b = { used: 0, reset: nowSec + 3600 };
      buckets.set(key, b);
    }
    return b;
  };

  const rateHeaders = (limit: number, b: Bucket) => ({
    'x-ratelimit-limit': String(limit),
    'x-ratelimit-remaining': String(Math.max(limit - b.used, 0)),
    'x-ratelimit-reset': String(b.reset),
    'x-ratelimit-used': String(b.used),
    'x-ratelimit-resource': 'core',
  });

  // ---- responses ----------------------------------------------------------------------------

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ) => {
    if (status === 204 || body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(body, null, 2);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  const faultError = (
    fault: ResolvedFault,
    exceededMessage: string,
    reqId: string,
  ): { error: GitHubError; rate?: { remaining0: boolean; reset?: number } } => {
    const nowSec = Math.floor(Date.now() / 1000);
    switch (fault.kind) {
      case 'rate-limit':
        return {
          error: new GitHubError(
            fault.status,
            fault.message ?? exceededMessage,
            RATE_LIMIT_DOC,
          ),
          rate: {
            remaining0: true,
            reset: nowSec + (fault.resetInSeconds ?? 3),
          },
        };
      case 'secondary-rate-limit':
        return {
          error: new GitHubError(
            fault.status,
            fault.message ??
              `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${reqId}.`,
            SECONDARY_DOC,
            undefined,
            { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          ),
        };
      case 'unauthorized':
        return {
          error: new GitHubError(
            fault.status,
            fault.message ?? 'Bad credentials',
          ),
        };
      case 'not-found':
        return {
          error: new GitHubError(fault.status, fault.message ?? 'Not Found'),
        };
      default:
        return {
          error: new GitHubError(
            fault.status,
            fault.message ??
              (fault.status === 502 ? 'Server Error' : 'Internal Server Error'),
          ),
        };
    }
  };

  const readBody = (req: IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY) {
          reject(new GitHubError(413, 'Payload too large'));
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });

  const log = (entry: Omit<RequestLogEntry, 'at'>) => {
    requestLog.push({ at: new Date().toISOString(), ...entry });
  };

  // ---- REST ---------------------------------------------------------------------------------

  const handleRest = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ) => {
    const reqId = requestId();
    const method = req.method ?? 'GET';
    const enterprise =
      url.pathname === '/api/v3' || url.pathname.startsWith('/api/v3/');
    const path = enterprise
      ? url.pathname.slice('/api/v3'.length) || '/'
      : url.pathname;
    const urls: Urls = {
      web: baseUrl,
      api: enterprise ? `${baseUrl}/api/v3` : baseUrl,
    };
    const nowMs = Date.now();
    const nowSec = Math.floor(nowMs / 1000);
    const ip = req.socket.remoteAddress ?? '127.0.0.1';
    let principal: Principal | undefined;
    let authError: unknown;
    try {
      principal = authenticate(store, readCredential(req), {
        allowJwt: true,
        nowMs,
      });
    } catch (error) {
      authError = error;
    }
    const limits = bucketOf(principal, ip);
    const b = bucket(limits.key, nowSec);
    const headers: Record<string, string> = {
      'x-github-request-id': reqId,
      'x-github-media-type': 'github.v3; format=json',
      'x-github-api-version-selected': '2022-11-28',
    };
    if (principal?.kind === 'pat')
      headers['x-oauth-scopes'] = (principal.pat.scopes ?? ['repo']).join(', ');
    let status = 500;
    let injected = false;
    try {
      const fault = faults.take(method, url.pathname);
      if (fault) {
        injected = true;
        const { error, rate } = faultError(fault, limits.exceeded, reqId);
        Object.assign(headers, rateHeaders(limits.limit, b));
        if (rate) {
          headers['x-ratelimit-remaining'] = '0';
          headers['x-ratelimit-used'] = String(limits.limit);
          headers['x-ratelimit-reset'] = String(rate.reset);
        }
        throw error;
      }
      const isRateLimitStatus = method === 'GET' && path === '/rate_limit';
      if (!isRateLimitStatus) b.used += 1;
      Object.assign(headers, rateHeaders(limits.limit, b));
      if (authError) throw authError;
      if (b.used > limits.limit) {
        headers['x-ratelimit-remaining'] = '0';
        throw new GitHubError(403, limits.exceeded, RATE_LIMIT_DOC);
      }
      if (isRateLimitStatus) {
        const core = {
          limit: limits.limit,
          used: b.used,
          remaining: Math.max(limits.limit - b.used, 0),
          reset: b.reset,
        };
        status = 200;
        sendJson(res, 200, { resources: { core }, rate: core }, headers);
        return;
      }
      const raw = await readBody(req);
      let body: unknown = undefined;
      if (raw.length) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new GitHubError(400, 'Problems parsing JSON');
        }
      }
      const result = await dispatchRest(routes, {
        method,
        path,
        query: url.searchParams,
        body,
        headers: req.headers,
        principal: principal!,
        urls,
      });
      status = result.status;
      if (result.raw) {
        res.writeHead(result.status, {
          'content-type': 'application/octet-stream',
          'content-length': String(result.raw.length),
          ...headers,
          ...result.headers,
        });
        res.end(result.raw);
        return;
      }
      sendJson(res, result.status, result.body, {
        ...headers,
        ...(result.headers ?? {}),
      });
    } catch (error) {
      if (error instanceof GitHubError) {
        status = error.status;
        if (error.status === 401 && !headers['x-ratelimit-limit'])
          Object.assign(headers, rateHeaders(limits.limit, b));
        sendJson(res, error.status, error.body(), {
          ...headers,
          ...error.headers,
        });
      } else {
        status = 500;
        sendJson(
          res,
          500,
          {
            message: `Internal error in the fake: ${
              (error as Error)?.message ?? error
            }`,
            documentation_url: 'https://docs.github.com/rest',
            status: '500',
          },
          headers,
        );
      }
    } finally {
      log({
        requestId: reqId,
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        kind: 'rest',
        status,
        auth: principal ? logAuth(principal) : { kind: 'invalid' },
        injected,
      });
    }
  };

  // ---- git smart HTTP -----------------------------------------------------------------------

  const handleGit = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
  ) => {
    const reqId = requestId();
    const method = req.method ?? 'GET';
    const [, owner, name, endpoint] = match;
    res.setHeader('x-github-request-id', reqId);
    let status = 0;
    let injected = false;
    let auth: RequestLogEntry['auth'] = { kind: 'invalid' };
    try {
      const fault = faults.take(method, url.pathname);
      if (fault) {
        injected = true;
        status = fault.status;
        const headers: Record<string, string> = {
          'content-type': 'text/plain; charset=utf-8',
        };
        if (fault.kind === 'unauthorized')
          headers['www-authenticate'] = 'Basic realm="GitHub"';
        if (fault.kind === 'secondary-rate-limit')
          headers['retry-after'] = String(fault.retryAfterSeconds ?? 1);
        res.writeHead(fault.status, headers);
        res.end(`${fault.message ?? 'injected fault'}\n`);
        return;
      }
      let service: string;
      if (endpoint === 'info/refs') {
        service = url.searchParams.get('service') ?? '';
        if (
          method !== 'GET' ||
          (service !== 'git-upload-pack' && service !== 'git-receive-pack')
        ) {
          // The dumb protocol is not served, as on GitHub.
          status = 403;
          res.writeHead(403, { 'content-type': 'text/plain' });
          res.end('Please upgrade your git client.\n');
          return;
        }
      } else {
        service = endpoint;
        if (method !== 'POST') {
          status = 405;
          res.writeHead(405, { allow: 'POST' });
          res.end();
          return;
        }
      }
      const push = service === 'git-receive-pack';
      const decision = authorizeGit(store, req, owner, name, push, Date.now());
      if ('status' in decision) {
        status = decision.status;
        try {
          const p = authenticate(store, readCredential(req), {
            allowJwt: false,
            nowMs: Date.now(),
          });
          auth = logAuth(p);
        } catch {
          auth = { kind: 'invalid' };
        }
        sendGitDenied(res, decision);
        return;
      }
      auth = logAuth(decision.principal);
      const repo = store.findRepo(owner, name)!;
      const remoteUser =
        decision.principal.kind === 'anonymous'
          ? 'anonymous'
          : loginOf(store, decision.principal);
      await runHttpBackend(store, req, res, {
        repoDir: repo.dir,
        service: endpoint,
        query: url.search.replace(/^\?/, ''),
        remoteUser,
      });
      status = res.statusCode;
    } finally {
      log({
        requestId: reqId,
        method,
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        kind: 'git',
        status: status || res.statusCode,
        auth,
        injected,
      });
    }
  };

  // ---- the in-process API -------------------------------------------------------------------

  const repoOrThrow = (owner: string, name: string): RepoRecord => {
    const repo = store.findRepo(owner, name);
    if (!repo) throw new AdminError(404, `No repository ${owner}/${name}`);
    return repo;
  };
  const issueOrThrow = (repo: RepoRecord, number: number): IssueRecord => {
    const issue = store.findIssue(repo, number);
    if (!issue)
      throw new AdminError(
        404,
        `No issue or pull request #${number} in ${repo.owner}/${repo.name}`,
      );
    return issue;
  };
  const pullOrThrow = (repo: RepoRecord, number: number): IssueRecord => {
    const issue = issueOrThrow(repo, number);
    if (!issue.pull)
      throw new AdminError(
        404,
        `#${number} in ${repo.owner}/${repo.name} is not a pull request`,
      );
    return issue;
  };
  const userRef = (login?: string): UserRef => ({
    login: login ?? 'octocat',
    type: /\[bot\]$/.test(login ?? '') ? 'Bot' : 'User',
  });
  const matches = (
    issue: IssueRecord,
    filter?: { owner?: string; repo?: string },
  ) =>
    (!filter?.owner ||
      issue.owner.toLowerCase() === filter.owner.toLowerCase()) &&
    (!filter?.repo || issue.repo.toLowerCase() === filter.repo.toLowerCase());
  /** An issue or pull request as plain data; `kind`'s fields stand after `state`, as they always have. */
  const summaryOf = <T extends object>(
    issue: IssueRecord,
    kind: T,
  ): IssueFields & T => ({
    owner: issue.owner,
    repo: issue.repo,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    ...kind,
    user: issue.user.login,
    labels: [...issue.labels],
    comments: issue.comments.map(c => ({
      id: c.id,
      body: c.body,
      user: c.user.login,
    })),
    htmlUrl: `${baseUrl}/${issue.owner}/${issue.repo}/${
      issue.pull ? 'pull' : 'issues'
    }/${issue.number}`,
  });
  const pullSummary = (issue: IssueRecord): PullSummary =>
    summaryOf(issue, {
      draft: issue.pull!.draft,
      merged: issue.pull!.merged,
      mergedAt: issue.pull!.mergedAt,
      mergeCommitSha: issue.pull!.mergeCommitSha,
      head: { ref: issue.pull!.headRef, sha: issue.pull!.headSha },
      base: { ref: issue.pull!.baseRef, sha: issue.pull!.baseSha },
    });
  const repoSummary = (repo: RepoRecord): CreatedRepo => ({
    id: repo.id,
    owner: repo.owner,
    name: repo.name,
    dir: repo.dir,
    private: repo.private,
    cloneUrl: `${baseUrl}/${repo.owner}/${repo.name}.git`,
  });

  const state: FakeGitHubState = {
    async pulls(filter) {
      const pulls = store.allPulls().filter(i => matches(i, filter));
      for (const issue of pulls)
        await actions.refreshPull(
          store.findRepo(issue.owner, issue.repo)!,
          issue,
        );
      return pulls.map(pullSummary);
    },
    issues(filter) {
      return [...store.issues.values()]
        .flat()
        .filter(i => matches(i, filter))
        .map(issue => summaryOf(issue, { isPullRequest: !!issue.pull }));
    },
    tokens: () => [...store.tokens.values()],
    deliveries: () => [...webhooks.deliveries],
    requests: () => [...requestLog],
    repos: () => [...store.repos.values()].map(repoSummary),
  };

  const fake: FakeGitHub = {
    url: '',
    apiUrl: '',
    enterpriseApiUrl: '',
    port: 0,
    reposDir: store.reposDir,
    gitUrl: (owner, repo) => `${baseUrl}/${owner}/${repo}.git`,
    faults,
    state,
    store,
    async createRepo(owner, name, repoOptions) {
      try {
        return repoSummary(await store.createRepo(owner, name, repoOptions));
      } catch (error) {
        throw new AdminError(422, (error as Error).message);
      }
    },
    async commitFiles(owner, name, commit) {
      const repo = repoOrThrow(owner, name);
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
      const repo = repoOrThrow(owner, name);
      if (!fields?.title) throw new AdminError(422, 'title is required');
      const { issue, deliveries } = await actions.createIssue(repo, {
        title: fields.title,
        body: fields.body,
        labels: fields.labels,
        user: userRef(fields.user),
      });
      return { issue: issueJson(store, rootUrls(), issue), deliveries };
    },
    async addLabels(owner, name, number, labels, user) {
      const repo = repoOrThrow(owner, name);
      return actions.addLabels(
        repo,
        issueOrThrow(repo, number),
        labels,
        userRef(user),
      );
    },
    async addComment(owner, name, number, body, user) {
      const repo = repoOrThrow(owner, name);
      const issue = issueOrThrow(repo, number);
      if (!body) throw new AdminError(422, 'body is required');
      const { comment, deliveries } = await actions.addComment(
        repo,
        issue,
        body,
        userRef(user),
      );
      return {
        comment: commentJson(store, rootUrls(), issue, comment),
        deliveries,
      };
    },
    async mergePull(owner, name, number, mergeOptions) {
      const repo = repoOrThrow(owner, name);
      const issue = pullOrThrow(repo, number);
      try {
        await actions.mergePull(repo, issue, {
          method: mergeOptions?.method,
          user: userRef(mergeOptions?.user),
        });
      } catch (error) {
        if (error instanceof GitHubError)
          throw new AdminError(error.status, error.message);
        throw error;
      }
      return pullSummary(issue);
    },
    async closePull(owner, name, number) {
      const repo = repoOrThrow(owner, name);
      const issue = pullOrThrow(repo, number);
      await actions.refreshPull(repo, issue);
      actions.closeIssue(issue);
      return pullSummary(issue);
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

  // ---- the HTTP server ----------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-github.invalid');
    const done = (error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain' });
      }
      res.end(`fake-github: ${(error as Error)?.message ?? error}\n`);
    };
    if (
      url.pathname === ADMIN_PREFIX ||
      url.pathname.startsWith(`${ADMIN_PREFIX}/`)
    ) {
      handleAdmin(fake, req, res, url, readBody).catch(done);
      return;
    }
    const gitMatch = GIT_PATH.exec(url.pathname);
    if (gitMatch) {
      handleGit(req, res, url, gitMatch).catch(done);
      return;
    }
    handleRest(req, res, url).catch(done);
  });
  const sockets = new Set<Socket>();
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let displayHost = host.includes(':') ? `[${host}]` : host;
  if (host === '0.0.0.0' || host === '::') displayHost = '127.0.0.1';
  baseUrl = (options.publicUrl ?? `http://${displayHost}:${port}`).replace(
    /\/+$/,
    '',
  );
  fake.url = baseUrl;
  fake.apiUrl = baseUrl;
  fake.enterpriseApiUrl = `${baseUrl}/api/v3`;
  fake.port = port;
  fake.stop = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return fake;
}
