import http from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket, isIP } from 'node:net';
import { Faults } from './faults';
import { GarbageCollector } from './garbageCollector';
import { NamespaceController } from './namespaceController';
import { ObjectApi } from './objectApi';
import { findType } from './resources';
import { handleRequest } from './routes';
import { Store } from './store';
import { TlsMaterial, generateSelfSignedTls } from './tls';

export interface ApiServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** How many events are retained for watch resumption; older resourceVersions get 410. */
  watchWindow?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 60s like the real server. */
  bookmarkIntervalMs?: number;
  /** Watch duration when the client gives no timeoutSeconds; default 30 minutes. */
  defaultWatchTimeoutSeconds?: number;
  /** Serve HTTPS: `true` generates a self-signed certificate (needs openssl), or pass one. Default plain HTTP. */
  tls?: boolean | TlsMaterial;
}

export interface ApiServer {
  url: string;
  port: number;
  host: string;
  /** PEM CA certificate clients should trust, when serving HTTPS. */
  caCert?: string;
  store: Store;
  api: ObjectApi;
  faults: Faults;
  stop(): Promise<void>;
}

const BUILT_IN_NAMESPACES = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
];

/** A generated certificate covers loopback and the bound address, so clients can verify either. */
function tlsFor(
  option: ApiServerOptions['tls'],
  host: string,
): TlsMaterial | undefined {
  if (!option) return undefined;
  if (option !== true) return option;
  const ips = new Set(['127.0.0.1', '::1']);
  if (isIP(host)) ips.add(host);
  return generateSelfSignedTls([...ips], ['localhost']);
}

export async function startApiServer(
  options: ApiServerOptions = {},
): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const store = new Store({ watchWindow: options.watchWindow });
  const api = new ObjectApi(store);
  const gc = new GarbageCollector(api, store);
  const namespaces = new NamespaceController(api, store);
  const faults = new Faults(store);
  const namespaceType = findType('', 'v1', 'namespaces')!;
  for (const name of BUILT_IN_NAMESPACES) {
    api.create(namespaceType, undefined, { metadata: { name } });
  }

  const ctx = {
    api,
    faults,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    defaultWatchTimeoutSeconds: options.defaultWatchTimeoutSeconds ?? 1800,
  };
  const tls = tlsFor(options.tls, host);
  const sockets = new Set<Socket>();
  const handler: http.RequestListener = (req, res) => {
    void handleRequest(ctx, req, res);
  };
  const server = tls
    ? https.createServer({ key: tls.key, cert: tls.cert }, handler)
    : http.createServer(handler);
  server.on('connection', socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `${tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    host,
    caCert: tls?.cert,
    store,
    api,
    faults,
    async stop() {
      gc.stop();
      namespaces.stop();
      api.close();
      store.hub.dropAll();
      const closed = new Promise<void>(resolve =>
        server.close(() => resolve()),
      );
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
