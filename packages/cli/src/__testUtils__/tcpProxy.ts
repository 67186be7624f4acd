import net from 'node:net';

/**
 * A TCP proxy on one local port that forwards to whichever upstream port is current, so a client
 * keeps one URL while the server behind it is replaced. Without an upstream it resets every new
 * connection, as a stopped server's port refuses them.
 */
export interface TcpProxy {
  port: number;
  /** The port new connections go to; undefined resets them. */
  setUpstream(port: number | undefined): void;
  /** Connections accepted so far, across every upstream. */
  readonly connections: number;
  /** Cuts every open connection, both ways. */
  dropAll(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(port = 0): Promise<TcpProxy> {
  let upstream: number | undefined;
  let connections = 0;
  const open = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  };
  const server = net.createServer(client => {
    connections++;
    track(client);
    if (upstream === undefined) {
      client.resetAndDestroy();
      return;
    }
    const target = net.connect(upstream, '127.0.0.1');
    track(target);
    // Either side's end or failure ends the other: the client sees what a dying server does.
    client.pipe(target).on('error', () => client.destroy());
    target.pipe(client).on('error', () => target.destroy());
    client.on('error', () => target.destroy());
    target.on('error', () => client.destroy());
    client.on('close', () => target.destroy());
    target.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    setUpstream(next) {
      upstream = next;
    },
    get connections() {
      return connections;
    },
    dropAll() {
      for (const socket of open) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise(resolve => server.close(() => resolve()));
    },
  };
}
