import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLlm, startFakeLlm } from '../server';
import { runOffline } from '../__testUtils__/runCommand';
import {
  deadProxyEnvironment,
  networkIsolation,
  offlineCommand,
} from './offlineCommand';
import { startPortBridge } from './portBridge';

// A probe run inside the namespace: the simulator answers on 127.0.0.1, nothing else does.
const PROBE = `
const net = require('node:net');
const port = Number(process.argv[1]);
(async () => {
  const models = await fetch('http://127.0.0.1:' + port + '/v1/models').then(r => r.json());
  const outside = await new Promise(resolve => {
    const socket = net.connect({ host: '1.1.1.1', port: 443, timeout: 3000 });
    socket.on('connect', () => { socket.destroy(); resolve('connected'); });
    socket.on('timeout', () => { socket.destroy(); resolve('timeout'); });
    socket.on('error', error => resolve(error.code));
  });
  console.log(JSON.stringify({ model: models.data[0].id, outside }));
})();
`;

const isolation = networkIsolation();
if (!isolation.available) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the network-namespace tests: ${isolation.reason}`);
}
const describeIsolated = isolation.available ? describe : describe.skip;

describeIsolated('offline runs in a network namespace', () => {
  let llm: FakeLlm;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fake-llm-offline-'));
    llm = await startFakeLlm({ socketPath: join(dir, 'llm.sock') });
  });
  afterAll(async () => {
    await llm.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reach the simulator on 127.0.0.1 and nothing beyond the machine', async () => {
    const result = await runOffline(
      process.execPath,
      ['-e', PROBE, String(llm.port)],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, simulator: llm },
    );
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      model: 'fake-model',
      outside: 'ENETUNREACH',
    });
    expect(llm.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/models',
    ]);
  });

  it('reach several local services through a port bridge, on the ports given', async () => {
    const service = createServer((req, res) => res.end(`service ${req.url}`));
    service.listen(0, '127.0.0.1');
    await once(service, 'listening');
    const target = (service.address() as AddressInfo).port;
    const bridge = await startPortBridge([
      { socketPath: join(dir, 'llm-bridge.sock'), target: llm.port },
      { socketPath: join(dir, 'service.sock'), target, port: 7007 },
    ]);
    try {
      const script = `
        const get = port => fetch('http://127.0.0.1:' + port + '/probe').then(r => r.text(), e => e.cause?.code);
        Promise.all([get(${llm.port}), get(7007), get(${target})]).then(r => console.log(JSON.stringify(r)));
      `;
      const argv = offlineCommand(
        process.execPath,
        ['-e', script],
        bridge.forwards,
      );
      const child = spawn(argv.command, argv.args, { cwd: dir });
      let stdout = '';
      child.stdout.on('data', chunk => (stdout += chunk));
      await once(child, 'close');
      const [fromLlm, fromService, direct] = JSON.parse(stdout);
      expect(fromLlm).toContain('fake-llm: no route for GET /probe');
      expect(fromService).toBe('service /probe');
      // The service's own port is not forwarded: inside, nothing listens there.
      expect(direct).toBe('ECONNREFUSED');
    } finally {
      await bridge.stop();
      service.close();
    }
  });

  it('exit with the command’s status', async () => {
    const result = await runOffline('sh', ['-c', 'exit 7'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '' },
      simulator: llm,
    });
    expect(result.code).toBe(7);
  });
});

describe('offline runs without network namespaces', () => {
  it('fall back to proxies on a dead port that spare loopback', () => {
    expect(deadProxyEnvironment()).toMatchObject({
      HTTPS_PROXY: 'http://127.0.0.1:9',
      https_proxy: 'http://127.0.0.1:9',
      NO_PROXY: expect.stringContaining('127.0.0.1'),
    });
  });
});
