import { rm } from 'node:fs/promises';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Forward } from './offlineCommand';

/** Unix sockets that carry connections to local TCP ports, the outside half of offlineCommand. */
export interface PortBridge {
  /** What to give offlineCommand: inside the namespace, 127.0.0.1:<port> reaches the service. */
  forwards: Forward[];
  stop(): Promise<void>;
}

/**
 * Serves a Unix socket per entry and connects each of its connections to 127.0.0.1:<target>
 * here, outside the namespace. `port` is what the command inside dials (default: `target`, so
 * URLs need no rewriting); a file-system path crosses network namespaces where a port cannot.
 */
export async function startPortBridge(
  entries: Array<{ socketPath: string; target: number; port?: number }>,
): Promise<PortBridge> {
  const servers: Server[] = [];
  const open = new Set<Socket>();
  try {
    for (const { socketPath, target } of entries) {
      const server = createServer(client => {
        const upstream = connect(target, '127.0.0.1');
        open.add(client).add(upstream);
        const close = () => {
          client.destroy();
          upstream.destroy();
          open.delete(client);
          open.delete(upstream);
        };
        client.on('close', close);
        upstream.on('close', close);
        client.on('error', close);
        upstream.on('error', close);
        client.pipe(upstream).pipe(client);
      });
      await rm(socketPath, { force: true });
      server.listen(socketPath);
      await once(server, 'listening');
      servers.push(server);
    }
  } catch (error) {
    servers.forEach(server => server.close());
    throw error;
  }
  return {
    forwards: entries.map(({ socketPath, target, port }) => ({
      port: port ?? target,
      socketPath,
    })),
    async stop() {
      open.forEach(socket => socket.destroy());
      await Promise.all(
        servers.map(
          server => new Promise<void>(resolve => server.close(() => resolve())),
        ),
      );
      await Promise.all(entries.map(e => rm(e.socketPath, { force: true })));
    },
  };
}
