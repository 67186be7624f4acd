import { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, logAuth, Principal, readCredential } from './auth';
import type { FakeGitHubContext } from './context';
import { GitHubError } from './errors';
import { RATE_LIMIT_DOC, rateHeaders } from './rateLimits';
import { readBody } from './readBody';
import { logRequest, requestId } from './requestLog';
import { faultError } from './restFaults';
import { dispatchRest } from './restRouter';
import type { Urls } from './serialize';
import { sendJson } from './sendJson';

/**
 * Serves one REST request around the routes: authentication, injected faults, rate limiting and
 * `GET /rate_limit`, JSON parsing, GitHub's error bodies, and the request log.
 */
export async function handleRest(
  ctx: FakeGitHubContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { store, faults, rateLimits } = ctx;
  const reqId = requestId();
  const method = req.method ?? 'GET';
  const enterprise =
    url.pathname === '/api/v3' || url.pathname.startsWith('/api/v3/');
  const path = enterprise
    ? url.pathname.slice('/api/v3'.length) || '/'
    : url.pathname;
  const urls: Urls = {
    web: ctx.baseUrl,
    api: enterprise ? `${ctx.baseUrl}/api/v3` : ctx.baseUrl,
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
  const limits = rateLimits.bucketOf(principal, ip);
  const b = rateLimits.bucket(limits.key, nowSec);
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
    // As on GitHub, asking for the rate limit does not count against it.
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
    const result = await dispatchRest(ctx.routes, {
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
    logRequest(ctx.requestLog, {
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
}
