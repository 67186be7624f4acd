import http from 'node:http';
import https from 'node:https';
import { KubeConnectionPool } from './KubeConnectionPool';

describe('KubeConnectionPool', () => {
  it('keeps one agent for calls with the same TLS options, and a new one when they change', () => {
    const pool = new KubeConnectionPool(8);
    const first = pool.agentFor(new https.Agent({ ca: Buffer.from('ca-1') }));
    expect(first).toBeInstanceOf(https.Agent);
    expect((first as any).keepAlive).toBe(true);
    expect(first!.maxSockets).toBe(8);
    // The client builds its CA as a new buffer for every call: equal bytes are the same options.
    expect(pool.agentFor(new https.Agent({ ca: Buffer.from('ca-1') }))).toBe(first);

    const rotated = pool.agentFor(new https.Agent({ ca: Buffer.from('ca-1'), cert: 'cert-2' }));
    expect(rotated).not.toBe(first);
    expect((rotated as any).options.cert).toBe('cert-2');
    pool.destroy();
  });

  it('pools plain HTTP agents and leaves proxy agents and no agent as they are', () => {
    const pool = new KubeConnectionPool();
    expect(pool.agentFor(new http.Agent())).toBeInstanceOf(http.Agent);
    class ProxyAgent extends https.Agent {}
    const proxy = new ProxyAgent();
    expect(pool.agentFor(proxy)).toBe(proxy);
    expect(pool.agentFor(undefined)).toBeUndefined();
    pool.destroy();
  });
});
