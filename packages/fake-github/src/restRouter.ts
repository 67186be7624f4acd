import { IncomingHttpHeaders } from 'node:http';
import type { Principal } from './auth';
import { DOCS, notFound } from './errors';
import type { RestResult } from './restResult';
import type { Urls } from './serialize';

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

export type RouteHandler = (
  req: RestRequest,
  params: string[],
) => Promise<RestResult>;

export interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/** A REST route. `:name` is one path segment; a trailing `/*name` is the rest of the path, slashes included, or ''. */
export function route(
  method: string,
  path: string,
  handler: RouteHandler,
): Route {
  const pattern = new RegExp(
    `^${path
      .replace(/:[a-z_]+/g, '([^/]+)')
      .replace(/\/\*[a-z_]+$/, '(?:/(.*))?')}$`,
  );
  return { method, pattern, handler };
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
