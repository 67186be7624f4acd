import { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, loginOf, logAuth, readCredential } from './auth';
import type { FakeGitHubContext } from './context';
import { authorizeGit, runHttpBackend, sendGitDenied } from './gitHttp';
import type { RequestLogEntry } from './model';
import { logRequest, requestId } from './requestLog';

/**
 * Serves one git smart HTTP request (`match` is `GIT_PATH`'s: owner, name, endpoint): injected faults
 * as git sees them, GitHub's refusals, then `git http-backend`; every request is logged.
 */
export async function handleGit(
  ctx: FakeGitHubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RegExpExecArray,
): Promise<void> {
  const { store, faults } = ctx;
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
      // git asks its credential helper only when challenged.
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
      // Only for the log: who was refused, if the credentials name anyone.
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
    logRequest(ctx.requestLog, {
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
}
