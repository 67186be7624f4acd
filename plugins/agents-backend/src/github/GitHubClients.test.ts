import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { generateAppKeyPair } from '@backstage-agents/fake-github';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitHubClients } from './GitHubClients';

/**
 * A GitHub API that answers installation lookups and token mints, each mint after 50 ms, and
 * records how many mints were under way at once.
 */
async function tokenServer() {
  const seen = { inFlight: 0, mostInFlight: 0, mints: 0 };
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && /^\/repos\/[^/]+\/[^/]+\/installation$/.test(req.url!)) {
      res.end(JSON.stringify({ id: 1, account: { login: 'example-org' } }));
      return;
    }
    if (req.method === 'POST' && req.url === '/app/installations/1/access_tokens') {
      seen.inFlight += 1;
      const token = `ghs_${++seen.mints}`;
      seen.mostInFlight = Math.max(seen.mostInFlight, seen.inFlight);
      setTimeout(() => {
        seen.inFlight -= 1;
        res.statusCode = 201;
        res.end(JSON.stringify({ token, expires_at: new Date(Date.now() + 3_600_000).toISOString() }));
      }, 50);
      return;
    }
    res.statusCode = 404;
    res.end('{"message":"Not Found"}');
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, port: (server.address() as AddressInfo).port };
}

describe('GitHubClients', () => {
  it('mints the tokens of a burst of launches side by side, not one a second', async () => {
    const { server, seen, port } = await tokenServer();
    try {
      const key = generateAppKeyPair();
      const host = `127.0.0.1:${port}`;
      const integrations = ScmIntegrations.fromConfig(
        new ConfigReader({
          integrations: {
            github: [
              {
                host,
                apiBaseUrl: `http://${host}`,
                apps: [{ appId: 7, privateKey: key.privateKeyPem, clientId: 'c', clientSecret: 's', webhookSecret: 'w' }],
              },
            ],
          },
        }),
      );
      const clients = new GitHubClients({ integrations, logger: mockServices.logger.mock() });
      const repo = { host, apiBaseUrl: `http://${host}`, owner: 'example-org', repo: 'payments' };
      const tokens = await Promise.all(Array.from({ length: 8 }, () => clients.tokenFor(repo)));
      expect(new Set(tokens.map(t => t.token)).size).toBe(8);
      expect(tokens.every(t => t.kind === 'app-installation')).toBe(true);
      // The throttling plugin's write queue would have let one through at a time.
      expect(seen.mostInFlight).toBeGreaterThan(1);
    } finally {
      server.close();
    }
  });
});
