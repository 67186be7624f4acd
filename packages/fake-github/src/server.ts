import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { handleAdmin, ADMIN_PREFIX } from './admin';
import { FakeGitHubContext } from './context';
import { createFakeApi } from './fakeApi';
import type { FakeGitHub, FakeGitHubOptions } from './fakeGitHub';
import { handleGit } from './gitHandler';
import { GIT_PATH } from './gitHttp';
import { readBody } from './readBody';
import { handleRest } from './restHandler';

/** Starts the fake GitHub: one HTTP server routing admin, git smart HTTP and REST requests. */
export async function startFakeGitHub(
  options: FakeGitHubOptions,
): Promise<FakeGitHub> {
  const ctx = await FakeGitHubContext.create(options);
  const fake = createFakeApi(ctx);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-github.invalid');
    // Last resort for a handler that throws: the request is answered, never left hanging.
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
      handleGit(ctx, req, res, url, gitMatch).catch(done);
      return;
    }
    handleRest(ctx, req, res, url).catch(done);
  });
  // Tracked so `stop` can end keep-alive connections instead of waiting for them.
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
  ctx.baseUrl = (options.publicUrl ?? `http://${displayHost}:${port}`).replace(
    /\/+$/,
    '',
  );
  fake.url = ctx.baseUrl;
  fake.apiUrl = ctx.baseUrl;
  fake.enterpriseApiUrl = `${ctx.baseUrl}/api/v3`;
  fake.port = port;
  fake.stop = () =>
    new Promise<void>(resolve => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return fake;
}
