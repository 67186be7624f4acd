import { IncomingMessage, ServerResponse } from 'node:http';
import type { AdminError } from './adminError';
import type { FakeGitHub } from './fakeGitHub';

/** Test and admin endpoints live here, never under GitHub's own paths. */
export const ADMIN_PREFIX = '/__fake-github';

type Handler = (
  fake: FakeGitHub,
  body: any,
  params: string[],
  url: URL,
) => Promise<{ status: number; body?: unknown }>;

const routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
const route = (method: string, path: string, handler: Handler) =>
  routes.push({
    method,
    pattern: new RegExp(`^${path.replace(/:[a-z]+/g, '([^/]+)')}$`),
    handler,
  });

const filter = (url: URL) => ({
  owner: url.searchParams.get('owner') ?? undefined,
  repo: url.searchParams.get('repo') ?? undefined,
});

route('GET', '/repos', async fake => ({
  status: 200,
  body: fake.state.repos(),
}));
route('POST', '/repos', async (fake, body) => ({
  status: 201,
  body: await fake.createRepo(body.owner, body.name, {
    defaultBranch: body.defaultBranch,
    files: body.files,
    private: body.private,
  }),
}));
route('POST', '/repos/:o/:r/commits', async (fake, body, [o, r]) => ({
  status: 201,
  body: { sha: await fake.commitFiles(o, r, body) },
}));
route('GET', '/pulls', async (fake, _b, _p, url) => ({
  status: 200,
  body: await fake.state.pulls(filter(url)),
}));
route('GET', '/issues', async (fake, _b, _p, url) => ({
  status: 200,
  body: fake.state.issues(filter(url)),
}));
route('POST', '/repos/:o/:r/pulls/:n/merge', async (fake, body, [o, r, n]) => ({
  status: 200,
  body: await fake.mergePull(o, r, Number(n), {
    method: body.method,
    user: body.user,
  }),
}));
route('POST', '/repos/:o/:r/pulls/:n/close', async (fake, _b, [o, r, n]) => ({
  status: 200,
  body: await fake.closePull(o, r, Number(n)),
}));
route('POST', '/repos/:o/:r/issues', async (fake, body, [o, r]) => ({
  status: 201,
  body: await fake.createIssue(o, r, body),
}));
route(
  'POST',
  '/repos/:o/:r/issues/:n/labels',
  async (fake, body, [o, r, n]) => ({
    status: 200,
    body: {
      deliveries: await fake.addLabels(
        o,
        r,
        Number(n),
        body.labels ?? [],
        body.user,
      ),
    },
  }),
);
route(
  'POST',
  '/repos/:o/:r/issues/:n/comments',
  async (fake, body, [o, r, n]) => ({
    status: 201,
    body: await fake.addComment(o, r, Number(n), body.body, body.user),
  }),
);
route('GET', '/deliveries', async fake => ({
  status: 200,
  body: fake.state.deliveries(),
}));
route('POST', '/deliveries/:id/redeliver', async (fake, _b, [id]) => ({
  status: 200,
  body: await fake.redeliver(id),
}));
route('PUT', '/webhook', async (fake, body) => {
  if (typeof body.url !== 'string') return bad('url is required');
  fake.setWebhook({ url: body.url, secret: body.secret });
  return { status: 204 };
});
route('DELETE', '/webhook', async fake => {
  fake.setWebhook(undefined);
  return { status: 204 };
});
route('POST', '/faults', async (fake, body) => {
  if (body.reset) fake.faults.reset();
  if (body.failNext) fake.faults.failNext(body.failNext);
  return {
    status: 200,
    body: {
      pending: fake.faults.pending,
      injectedFailures: fake.faults.injectedFailures,
    },
  };
});
route('GET', '/requests', async fake => ({
  status: 200,
  body: fake.state.requests(),
}));
route('GET', '/tokens', async fake => ({
  status: 200,
  body: fake.state.tokens(),
}));
route('POST', '/tokens/expire', async (fake, body) => {
  fake.expireToken(body.token);
  return { status: 204 };
});
route('POST', '/apps', async (fake, body) => {
  fake.addApp(body);
  return { status: 201, body: { appId: body.appId } };
});
route('POST', '/apps/:id/installations', async (fake, body, [id]) => {
  fake.addInstallation(Number(id), body);
  return { status: 201, body: { id: body.id } };
});
route('POST', '/personal-access-tokens', async (fake, body) => {
  fake.addPersonalAccessToken(body);
  return { status: 201, body: { login: body.login } };
});

function bad(message: string) {
  return { status: 400, body: { message } };
}

function send(res: ServerResponse, status: number, body?: unknown) {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(text);
}

/** Serves `/__fake-github/...`: JSON in, JSON out; errors as `{ message }`. Never faulted or rate limited. */
export async function handleAdmin(
  fake: FakeGitHub,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  readBody: (req: IncomingMessage) => Promise<Buffer>,
): Promise<void> {
  const path = url.pathname.slice(ADMIN_PREFIX.length) || '/';
  const method = req.method ?? 'GET';
  const found = routes
    .map(r => ({ r, m: r.method === method ? r.pattern.exec(path) : null }))
    .find(x => x.m);
  if (!found) {
    send(res, 404, { message: `No admin endpoint ${method} ${url.pathname}` });
    return;
  }
  let body: any = {};
  const raw = await readBody(req);
  if (raw.length) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      send(res, 400, { message: 'Body is not JSON' });
      return;
    }
  }
  try {
    const result = await found.r.handler(
      fake,
      body ?? {},
      found.m!.slice(1).map(decodeURIComponent),
      url,
    );
    send(res, result.status, result.body);
  } catch (error) {
    const status = (error as AdminError)?.status;
    send(res, typeof status === 'number' ? status : 500, {
      message: (error as Error)?.message ?? String(error),
    });
  }
}
