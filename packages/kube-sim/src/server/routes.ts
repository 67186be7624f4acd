import { IncomingMessage, ServerResponse } from 'node:http';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  SERVER_VERSION,
} from './discovery';
import { Faults } from './faults';
import { readObject, sendError, sendJson } from './http';
import { OPENAPI_V2_PROTOBUF_TYPE, openApiV2Document } from './openapi';
import { DeleteOptions, ObjectApi } from './objectApi';
import { proxyPodLog } from './podLogProxy';
import { apiVersionOf, findType } from './resources';
import type { ResourceType } from './resourceType';
import { Selector, parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, badRequest, methodNotAllowed } from './statusErrors';
import { toTable, wantsTable } from './tables';
import { serveWatch } from './watchStream';

export interface RouteContext {
  api: ObjectApi;
  faults: Faults;
  bookmarkIntervalMs: number;
  defaultWatchTimeoutSeconds: number;
}

/** Path the fault hooks are reachable at for tests running out of process. */
export const ADMIN_FAULTS_PATH = '/__kube-sim/faults';

interface Target {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPrefix: boolean;
}

function pageNotFound(path: string): ApiError {
  return new ApiError(
    404,
    'NotFound',
    `the server could not find the requested resource (${path})`,
  );
}

/** Splits `/api/v1/...` or `/apis/{group}/{version}/...` into the addressed resource. */
function parseTarget(
  group: string,
  version: string,
  segments: string[],
  path: string,
): Target {
  let rest = segments;
  let watchPrefix = false;
  if (rest[0] === 'watch') {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  const namespaceSubresource = rest.length === 3 && rest[2] === 'status';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const type = plural ? findType(group, version, plural) : undefined;
  if (!type || extra.length > 0) throw pageNotFound(path);
  if (namespace !== undefined && !type.namespaced) throw pageNotFound(path);
  if (subresource && !(type.subresources ?? []).includes(subresource))
    throw pageNotFound(path);
  return { type, namespace, name, subresource, watchPrefix };
}

function deletedStatus(type: ResourceType, obj: any) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: {
      name: obj.metadata.name,
      ...(type.group ? { group: type.group } : {}),
      kind: type.plural,
      uid: obj.metadata.uid,
    },
  };
}

function selectorsOf(type: ResourceType, query: URLSearchParams): Selector[] {
  return [
    parseLabelSelector(query.get('labelSelector') ?? undefined),
    parseFieldSelector(
      query.get('fieldSelector') ?? undefined,
      type.fieldSelectors ?? [],
    ),
  ];
}

function integerParam(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw badRequest(`invalid value for ${key}: ${raw}`);
  return value;
}

function isTrue(query: URLSearchParams, key: string): boolean {
  const value = query.get(key);
  return value === 'true' || value === '1';
}

function deleteOptionsOf(query: URLSearchParams, body: any): DeleteOptions {
  return {
    gracePeriodSeconds:
      integerParam(query, 'gracePeriodSeconds') ??
      body?.gracePeriodSeconds ??
      undefined,
    propagationPolicy:
      query.get('propagationPolicy') ?? body?.propagationPolicy ?? undefined,
    preconditions: body?.preconditions,
  } as DeleteOptions;
}

async function handleResource(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: Target,
  query: URLSearchParams,
): Promise<void> {
  const { api } = ctx;
  const { type, namespace, name, subresource } = target;
  const method = req.method ?? 'GET';
  // Better to refuse than to persist what the client meant only to try.
  if (query.has('dryRun'))
    throw badRequest('dryRun is not supported by kube-sim');
  const watch = target.watchPrefix || isTrue(query, 'watch');
  const table = wantsTable(req.headers.accept);

  if (method === 'GET' && (watch || !name)) {
    const selectors = selectorsOf(type, query);
    if (watch) {
      serveWatch(res, api.store, {
        type,
        namespace,
        name,
        selectors,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        timeoutSeconds: integerParam(query, 'timeoutSeconds'),
        allowWatchBookmarks: isTrue(query, 'allowWatchBookmarks'),
        bookmarkIntervalMs: ctx.bookmarkIntervalMs,
        defaultTimeoutSeconds: ctx.defaultWatchTimeoutSeconds,
        render: table
          ? obj => toTable(type, [obj], obj.metadata.resourceVersion)
          : undefined,
      });
      return;
    }
    const { items, resourceVersion } = api.list(type, namespace, selectors);
    if (table) {
      sendJson(res, 200, toTable(type, items, resourceVersion));
      return;
    }
    sendJson(res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion },
      items,
    });
    return;
  }

  if (!name) {
    if (method === 'POST') {
      const body = await readObject(req);
      if (type.kind === 'Binding') {
        sendJson(
          res,
          201,
          api.bind(namespace!, body?.metadata?.name ?? '', body),
        );
        return;
      }
      sendJson(res, 201, api.create(type, namespace, body));
      return;
    }
    if (method === 'DELETE') {
      const options = deleteOptionsOf(query, await readObject(req));
      const items = api.deleteCollection(
        type,
        namespace,
        selectorsOf(type, query),
        options,
      );
      sendJson(res, 200, {
        kind: `${type.kind}List`,
        apiVersion: apiVersionOf(type),
        metadata: { resourceVersion: String(api.store.resourceVersion) },
        items,
      });
      return;
    }
    throw methodNotAllowed();
  }

  if (subresource === 'log') {
    if (method !== 'GET') throw methodNotAllowed();
    proxyPodLog(res, api.store, namespace!, name, query);
    ctx.faults.trackLogStream(res);
    return;
  }
  if (subresource === 'binding') {
    if (method !== 'POST') throw methodNotAllowed();
    sendJson(res, 201, api.bind(namespace!, name, await readObject(req)));
    return;
  }
  const statusOnly = subresource === 'status' ? 'status' : undefined;
  switch (method) {
    case 'GET': {
      const obj = api.get(type, namespace, name);
      sendJson(
        res,
        200,
        table && !subresource
          ? toTable(type, [obj], obj.metadata.resourceVersion)
          : obj,
      );
      return;
    }
    case 'PUT':
      sendJson(
        res,
        200,
        api.update(type, namespace, name, await readObject(req), statusOnly),
      );
      return;
    case 'PATCH': {
      const contentType = req.headers['content-type'] ?? 'application/json';
      sendJson(
        res,
        200,
        api.patch(
          type,
          namespace,
          name,
          contentType,
          await readObject(req),
          statusOnly,
        ),
      );
      return;
    }
    case 'DELETE': {
      const result = api.delete(
        type,
        namespace,
        name,
        deleteOptionsOf(query, await readObject(req)),
      );
      // Like the real registry: an object whose deletion is pending comes back as it is now;
      // a removed one as itself for some types, as a Success Status for the rest.
      const stillExists =
        api.store.get(type, namespace, name)?.metadata.uid ===
        result.metadata.uid;
      sendJson(
        res,
        200,
        stillExists || type.returnsDeletedObject
          ? result
          : deletedStatus(type, result),
      );
      return;
    }
    default:
      throw methodNotAllowed();
  }
}

async function handleAdmin(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') throw methodNotAllowed();
  const body = (await readObject(req)) ?? {};
  if (body.reset) ctx.faults.reset();
  if (body.failNext) ctx.faults.failNext(body.failNext);
  if (body.delayNext) ctx.faults.delayNext(body.delayNext);
  if (body.compact) ctx.faults.compact();
  const droppedWatches = body.dropWatches ? ctx.faults.dropWatches() : 0;
  const droppedLogStreams = body.dropLogStreams
    ? ctx.faults.dropLogStreams(body.dropLogStreams === 'abort' ? 'abort' : 'end')
    : 0;
  sendJson(res, 200, {
    droppedWatches,
    droppedLogStreams,
    openWatches: ctx.faults.openWatches,
    injectedFailures: ctx.faults.injectedFailures,
  });
}

function handleDiscovery(
  res: ServerResponse,
  segments: string[],
  path: string,
): boolean {
  const [root, a, b] = segments;
  let body: unknown;
  if (root === 'version' && segments.length === 1) body = SERVER_VERSION;
  else if (root === 'api' && segments.length === 1) body = apiVersions();
  else if (root === 'api' && segments.length === 2)
    body = apiResourceList('', a) ?? null;
  else if (root === 'apis' && segments.length === 1) body = apiGroupList();
  else if (root === 'apis' && segments.length === 2) body = apiGroup(a) ?? null;
  else if (root === 'apis' && segments.length === 3)
    body = apiResourceList(a, b) ?? null;
  else if (root === 'openapi' && a === 'v2' && segments.length === 2) {
    res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF_TYPE });
    res.end(openApiV2Document(SERVER_VERSION.gitVersion));
    return true;
  } else if (
    ['healthz', 'livez', 'readyz'].includes(root) &&
    segments.length === 1
  ) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('ok');
    return true;
  } else return false;
  if (body === null) throw pageNotFound(path);
  sendJson(res, 200, body);
  return true;
}

/** Entry point for every HTTP request to the API server. */
export async function handleRequest(
  ctx: RouteContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://kube-sim');
    const path = url.pathname;
    if (path === ADMIN_FAULTS_PATH) {
      await handleAdmin(ctx, req, res);
      return;
    }
    const query = url.searchParams;
    const injected = ctx.faults.take(
      req.method ?? 'GET',
      path,
      isTrue(query, 'watch') || path.includes('/watch/'),
    );
    if (injected) throw injected;
    const delayMs = ctx.faults.delayFor(req.method ?? 'GET', path, isTrue(query, 'watch') || path.includes('/watch/'));
    if (delayMs > 0) await new Promise(resolve => setTimeout(resolve, delayMs));

    const segments = path
      .split('/')
      .filter(s => s)
      .map(decodeURIComponent);
    if (handleDiscovery(res, segments, path)) return;
    if (segments[0] === 'api' && segments[1]) {
      await handleResource(
        ctx,
        req,
        res,
        parseTarget('', segments[1], segments.slice(2), path),
        query,
      );
      return;
    }
    if (segments[0] === 'apis' && segments[1] && segments[2]) {
      await handleResource(
        ctx,
        req,
        res,
        parseTarget(segments[1], segments[2], segments.slice(3), path),
        query,
      );
      return;
    }
    throw pageNotFound(path);
  } catch (error) {
    sendError(res, error);
  }
}
