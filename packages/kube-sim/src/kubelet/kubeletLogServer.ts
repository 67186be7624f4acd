import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { ContainerLog, LogEntry } from './containerLog';

export type LogLookup = (
  namespace: string,
  pod: string,
  container: string,
) => ContainerLog | undefined;

export interface KubeletLogServer {
  port: number;
  stop(): Promise<void>;
}

function formatEntry(entry: LogEntry, timestamps: boolean): string {
  return timestamps ? `${entry.time} ${entry.line}\n` : `${entry.line}\n`;
}

function serveLog(
  lookup: LogLookup,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): void {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  const parts = url.pathname
    .split('/')
    .filter(p => p)
    .map(decodeURIComponent);
  if (
    req.method !== 'GET' ||
    parts[0] !== 'containerLogs' ||
    parts.length !== 4
  ) {
    res
      .writeHead(404, { 'Content-Type': 'text/plain' })
      .end('404 page not found\n');
    return;
  }
  const [, namespace, pod, container] = parts;
  const log = lookup(namespace, pod, container);
  if (!log) {
    res
      .writeHead(404, { 'Content-Type': 'text/plain' })
      .end(`container ${container} in pod ${namespace}/${pod} not found\n`);
    return;
  }
  const q = url.searchParams;
  const follow = q.get('follow') === 'true';
  const timestamps = q.get('timestamps') === 'true';
  const tailLines = q.get('tailLines') ? Number(q.get('tailLines')) : undefined;
  let since: number | undefined;
  if (q.get('sinceTime')) since = Date.parse(q.get('sinceTime')!);
  else if (q.get('sinceSeconds'))
    since = Date.now() - Number(q.get('sinceSeconds')) * 1000;
  let remainingBytes = q.get('limitBytes')
    ? Number(q.get('limitBytes'))
    : Infinity;

  // Reading the file and subscribing below happen in one synchronous step, so no line is lost or repeated.
  let existing = log.entries();
  if (since !== undefined)
    existing = existing.filter(e => Date.parse(e.time) >= since);
  if (tailLines !== undefined)
    existing = tailLines === 0 ? [] : existing.slice(-tailLines);

  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.flushHeaders();
  const emit = (entry: LogEntry): boolean => {
    if (since !== undefined && Date.parse(entry.time) < since) return true;
    const text = formatEntry(entry, timestamps);
    const bytes = Buffer.from(text);
    if (bytes.length > remainingBytes) {
      res.end(bytes.subarray(0, remainingBytes));
      return false;
    }
    remainingBytes -= bytes.length;
    res.write(text);
    return true;
  };

  for (const entry of existing) if (!emit(entry)) return;
  if (!follow || log.isClosed) {
    res.end();
    return;
  }
  // The lines of one chunk arrive in one tick: corked, they leave in one socket write.
  let corked = false;
  const unsubscribe = log.follow(
    entry => {
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(() => {
          corked = false;
          res.uncork();
        });
      }
      if (!emit(entry)) unsubscribe();
    },
    () => res.end(),
  );
  res.on('close', unsubscribe);
}

/**
 * The kubelet's `/containerLogs/{namespace}/{pod}/{container}` endpoint that
 * the API server's `pods/log` proxies to, with `follow`, `tailLines`,
 * `sinceTime`, `sinceSeconds`, `timestamps` and `limitBytes`.
 */
export async function startKubeletLogServer(
  lookup: LogLookup,
  host = '127.0.0.1',
): Promise<KubeletLogServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    try {
      serveLog(lookup, req, res);
    } catch (error) {
      // e.g. the pod's files were removed while the request was being answered.
      if (!res.headersSent)
        res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`${(error as Error).message}\n`);
    }
  });
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async stop() {
      const closed = new Promise<void>(resolve =>
        server.close(() => resolve()),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
