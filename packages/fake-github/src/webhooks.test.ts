import { Octokit } from '@octokit/rest';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { APP_ID, startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';
import { signWebhookPayload, verifyWebhookSignature } from './webhooks';

jest.setTimeout(30_000);

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that records what arrives and answers `status`. */
async function startReceiver() {
  const received: Received[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    answer(code: number) {
      status = code;
    },
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}

describe('webhook deliveries', () => {
  const secret = 'shh-its-a-secret';
  let bed: TestBed;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
    bed = await startTestBed({ webhook: { url: receiver.url, secret } });
  });
  afterAll(async () => {
    await bed.cleanup();
    await receiver.stop();
  });

  it('delivers issues events signed with X-Hub-Signature-256 in GitHub shape', async () => {
    const before = receiver.received.length;
    const { issue, deliveries } = await bed.fake.createIssue(
      'acme',
      'widgets',
      {
        title: 'Add a subtract function',
        body: 'Please',
        labels: ['agents'],
        user: 'maria',
      },
    );
    expect(deliveries.map(d => [d.event, d.action, d.status])).toEqual([
      ['issues', 'opened', 200],
      ['issues', 'labeled', 200],
    ]);
    const [opened, labeled] = receiver.received.slice(before);
    for (const delivery of [opened, labeled]) {
      expect(delivery.headers['content-type']).toBe('application/json');
      expect(delivery.headers['x-github-event']).toBe('issues');
      expect(delivery.headers['x-github-delivery']).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      expect(delivery.headers['user-agent']).toMatch(/^GitHub-Hookshot\//);
      const signature = delivery.headers['x-hub-signature-256'] as string;
      expect(signature).toBe(signWebhookPayload(secret, delivery.body));
      expect(verifyWebhookSignature(secret, delivery.body, signature)).toBe(
        true,
      );
      expect(verifyWebhookSignature('wrong', delivery.body, signature)).toBe(
        false,
      );
    }
    const payload = JSON.parse(labeled.body);
    expect(payload).toMatchObject({
      action: 'labeled',
      label: { name: 'agents' },
      issue: {
        number: issue.number,
        title: 'Add a subtract function',
        body: 'Please',
        state: 'open',
        labels: [{ name: 'agents' }],
        user: { login: 'maria', type: 'User' },
        html_url: `${bed.fake.url}/acme/widgets/issues/${issue.number}`,
      },
      repository: {
        full_name: 'acme/widgets',
        owner: { login: 'acme' },
        clone_url: bed.fake.gitUrl('acme', 'widgets'),
        default_branch: 'main',
      },
      organization: { login: 'acme' },
      sender: { login: 'maria' },
      installation: { id: 11 },
    });
    expect(opened.headers['x-github-hook-installation-target-id']).toBe(
      String(APP_ID),
    );
    expect(JSON.parse(opened.body).action).toBe('opened');
  });

  it('delivers labeled (once per new label) and issue_comment events', async () => {
    const { issue } = await bed.fake.createIssue('acme', 'widgets', {
      title: 'Second',
    });
    const labeled = await bed.fake.addLabels(
      'acme',
      'widgets',
      issue.number,
      ['agents', 'agents'],
      'maria',
    );
    expect(labeled.map(d => d.payload.label.name)).toEqual(['agents']);
    expect(
      await bed.fake.addLabels('acme', 'widgets', issue.number, ['agents']),
    ).toEqual([]);

    const { comment, deliveries } = await bed.fake.addComment(
      'acme',
      'widgets',
      issue.number,
      '/agents run Add tests',
      'maria',
    );
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0].requestHeaders['x-github-event']).toBe(
      'issue_comment',
    );
    expect(JSON.parse(deliveries[0].body)).toMatchObject({
      action: 'created',
      issue: { number: issue.number, comments: 1 },
      comment: {
        id: comment.id,
        body: '/agents run Add tests',
        user: { login: 'maria' },
      },
      sender: { login: 'maria' },
      installation: { id: 11 },
    });

    // Comments made through the REST API are delivered too, sent by the App's bot.
    await new Octokit({
      baseUrl: bed.fake.apiUrl,
      auth: await mintInstallationToken(bed.fake.apiUrl),
    }).issues.createComment({
      owner: 'acme',
      repo: 'widgets',
      issue_number: issue.number,
      body: 'Started a session',
    });
    const last = bed.fake.state.deliveries().at(-1)!;
    expect(last.event).toBe('issue_comment');
    expect(last.payload.sender).toMatchObject({
      login: 'agents-app[bot]',
      type: 'Bot',
    });
  });

  it('redelivers with the same delivery id, body and signature', async () => {
    const { deliveries } = await bed.fake.createIssue('acme', 'widgets', {
      title: 'Replay me',
    });
    const original = deliveries[0];
    const before = receiver.received.length;
    const again = await bed.fake.redeliver(original.id);
    expect(again).toMatchObject({
      id: original.id,
      redelivery: true,
      status: 200,
    });
    const replay = receiver.received[before];
    expect(replay.headers['x-github-delivery']).toBe(original.id);
    expect(replay.body).toBe(original.body);
    expect(replay.headers['x-hub-signature-256']).toBe(
      signWebhookPayload(secret, original.body),
    );
    expect(
      bed.fake.state.deliveries().filter(d => d.id === original.id),
    ).toHaveLength(2);
  });

  it('records failed deliveries', async () => {
    receiver.answer(500);
    try {
      const { deliveries } = await bed.fake.createIssue('acme', 'widgets', {
        title: 'Failing target',
      });
      expect(deliveries[0].status).toBe(500);
    } finally {
      receiver.answer(200);
    }
    bed.fake.setWebhook({ url: 'http://127.0.0.1:1/unreachable', secret });
    try {
      const { deliveries } = await bed.fake.createIssue('acme', 'widgets', {
        title: 'Unreachable target',
      });
      expect(deliveries[0].status).toBeUndefined();
      expect(deliveries[0].error).toEqual(expect.any(String));
    } finally {
      bed.fake.setWebhook({ url: receiver.url, secret });
    }
  });

  it('drives the same actions over the admin HTTP endpoints', async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${bed.fake.url}/__fake-github${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : undefined,
      };
    };
    const created = await call('POST', '/repos/acme/widgets/issues', {
      title: 'From another process',
      labels: ['agents'],
    });
    expect(created.status).toBe(201);
    const number = created.body.issue.number;
    expect(created.body.deliveries.map((d: any) => d.action)).toEqual([
      'opened',
      'labeled',
    ]);
    const labels = await call(
      'POST',
      `/repos/acme/widgets/issues/${number}/labels`,
      {
        labels: ['urgent'],
      },
    );
    expect(labels.body.deliveries).toHaveLength(1);
    const comment = await call(
      'POST',
      `/repos/acme/widgets/issues/${number}/comments`,
      { body: 'hello', user: 'maria' },
    );
    expect(comment.status).toBe(201);
    const id = comment.body.deliveries[0].id;
    const redelivered = await call('POST', `/deliveries/${id}/redeliver`);
    expect(redelivered.body).toMatchObject({ id, redelivery: true });
    const listed = await call('GET', '/deliveries');
    expect(listed.body.filter((d: any) => d.id === id)).toHaveLength(2);
    expect((await call('POST', '/deliveries/nope/redeliver')).status).toBe(404);

    expect((await call('DELETE', '/webhook')).status).toBe(204);
    const quiet = await call('POST', '/repos/acme/widgets/issues', {
      title: 'No target',
    });
    expect(quiet.body.deliveries).toEqual([]);
    expect(
      (await call('PUT', '/webhook', { url: receiver.url, secret })).status,
    ).toBe(204);
  });
});
