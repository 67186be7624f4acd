import type { IncomingMessage, ServerResponse } from 'node:http';

/** Answers a WHATWG request: what the fake is written as, so that it needs no socket in the browser. */
export type FetchHandler = (request: Request) => Promise<Response>;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The fetch handler as a Node.js request listener, which express (and so a Backstage plugin's
 * `httpRouter.use`) also takes: streams the answer as it comes, and aborts the request when the
 * client goes away.
 */
export function toNodeHandler(handle: FetchHandler) {
  return (
    req: IncomingMessage & { originalUrl?: string; body?: unknown },
    res: ServerResponse,
  ) => {
    serve(handle, req, res).catch(error => {
      // Neither express 4 nor node:http waits for a promise: answer here, or the request would hang.
      if (!res.headersSent)
        res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(error));
    });
  };
}

async function serve(
  handle: FetchHandler,
  req: IncomingMessage & { originalUrl?: string; body?: unknown },
  res: ServerResponse,
) {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined)
      headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  let body: string | Buffer | undefined;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    // A body parser mounted ahead (express.json()) has read the stream already.
    body =
      req.body !== undefined ? JSON.stringify(req.body) : await readBody(req);
  }
  const response = await handle(
    new Request(
      `http://${req.headers.host ?? 'localhost'}${req.originalUrl ?? req.url}`,
      {
        method: req.method,
        headers,
        body,
        signal: abort.signal,
      },
    ),
  );
  res.writeHead(
    response.status,
    response.statusText,
    Object.fromEntries(response.headers),
  );
  res.flushHeaders();
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  abort.signal.addEventListener('abort', () => {
    reader.cancel().catch(() => {});
  });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    res.write(value);
  }
  res.end();
}
