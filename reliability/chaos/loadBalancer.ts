import net from 'node:net';

/**
 * A TCP load balancer in front of the replicas, as a Kubernetes Service is: harness pods reach the
 * agents API through it (bundle transfers), and a connection that cannot reach one replica goes to
 * the next. Returns its port and a close function.
 */
export async function startLoadBalancer(ports: () => number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer(client => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const targets = ports();
    const offset = next++;
    const attempt = (tries: number) => {
      if (tries >= targets.length) {
        client.destroy();
        return;
      }
      const upstream = net.connect(targets[(offset + tries) % targets.length], '127.0.0.1');
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => client.destroy());
        client.on('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      upstream.once('error', () => attempt(tries + 1));
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
    };
    attempt(0);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>(resolve => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
