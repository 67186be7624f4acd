import { Octokit } from '@octokit/rest';
import { authedGitUrl, gitClient, startTestBed, TestBed } from './testUtils';
import { mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(30_000);

describe('rate limit headers and fault injection', () => {
  let bed: TestBed;
  let octokit: Octokit;
  beforeAll(async () => {
    bed = await startTestBed();
    octokit = new Octokit({
      baseUrl: bed.fake.apiUrl,
      auth: await mintInstallationToken(bed.fake.apiUrl),
    });
  });
  afterEach(() => bed.fake.faults.reset());
  afterAll(() => bed.cleanup());

  const repo = { owner: 'acme', repo: 'widgets' };

  it('sends rate limit headers and a request id with every response', async () => {
    const first = await octokit.repos.get(repo);
    const second = await octokit.repos.get(repo);
    for (const { headers } of [first, second]) {
      expect(headers['x-ratelimit-limit']).toBe('5000');
      expect(headers['x-ratelimit-resource']).toBe('core');
      expect(Number(headers['x-ratelimit-reset'])).toBeGreaterThan(
        Date.now() / 1000,
      );
      expect(headers['x-github-request-id']).toMatch(/^[0-9A-F:]+$/);
    }
    expect(Number(second.headers['x-ratelimit-used'])).toBe(
      Number(first.headers['x-ratelimit-used']) + 1,
    );
    expect(Number(second.headers['x-ratelimit-remaining'])).toBe(
      5000 - Number(second.headers['x-ratelimit-used']),
    );
    const notFound = await octokit.repos
      .get({ owner: 'acme', repo: 'nope' })
      .catch(e => e);
    expect(notFound.status).toBe(404);
    expect(notFound.response.headers['x-ratelimit-remaining']).toEqual(
      expect.any(String),
    );
    const { data: rate } = await octokit.rateLimit.get();
    expect(rate.resources.core.limit).toBe(5000);
  });

  it('answers an injected rate limit like GitHub: 403, remaining 0 and a reset a few seconds ahead', async () => {
    bed.fake.faults.failNext({ kind: 'rate-limit', pathIncludes: '/pulls' });
    const error = await octokit.pulls.list(repo).catch(e => e);
    expect(error.status).toBe(403);
    expect(error.response.data).toEqual({
      message: 'API rate limit exceeded for installation ID 11.',
      documentation_url:
        'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    });
    const headers = error.response.headers;
    expect(headers['x-ratelimit-remaining']).toBe('0');
    const reset = Number(headers['x-ratelimit-reset']) - Date.now() / 1000;
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(5);
    // Only one request failed.
    expect((await octokit.pulls.list(repo)).status).toBe(200);
    expect(bed.fake.faults.injectedFailures).toBe(1);
  });

  it('injects secondary rate limits with retry-after, on the matching method only', async () => {
    bed.fake.faults.failNext({
      kind: 'secondary-rate-limit',
      status: 429,
      method: 'POST',
      retryAfterSeconds: 7,
    });
    expect((await octokit.repos.get(repo)).status).toBe(200);
    const error = await octokit.issues
      .createComment({ ...repo, issue_number: 1, body: 'x' })
      .catch(e => e);
    expect(error.status).toBe(429);
    expect(error.response.headers['retry-after']).toBe('7');
    expect(error.response.data.message).toMatch(
      /You have exceeded a secondary rate limit/,
    );
  });

  it('injects 401, 5xx and 404 answers, counted', async () => {
    bed.fake.faults.failNext({ kind: 'unauthorized' });
    bed.fake.faults.failNext({ kind: 'server-error', status: 502, count: 2 });
    bed.fake.faults.failNext({ kind: 'not-found' });
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        await octokit.repos.get(repo).then(
          r => r.status,
          e => e.status,
        ),
      );
    expect(statuses).toEqual([401, 502, 502, 404, 200]);
    const log = bed.fake.state.requests().slice(-5);
    expect(log.map(r => r.injected)).toEqual([true, true, true, true, false]);
  });

  it('takes faults over HTTP for out-of-process tests', async () => {
    const post = (body: unknown) =>
      fetch(`${bed.fake.url}/__fake-github/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(r => r.json());
    const pending = await post({
      failNext: { kind: 'server-error', pathIncludes: '/repos/acme/widgets' },
    });
    expect(pending.pending).toHaveLength(1);
    await expect(octokit.repos.get(repo)).rejects.toMatchObject({
      status: 500,
    });
    await post({ failNext: { kind: 'not-found' } });
    expect((await post({ reset: true })).pending).toEqual([]);
    expect((await octokit.repos.get(repo)).status).toBe(200);
  });

  it('fails git requests too', async () => {
    bed.fake.faults.failNext({
      kind: 'server-error',
      pathIncludes: '/info/refs',
    });
    const run = await gitClient([
      'ls-remote',
      authedGitUrl(bed.fake, 'acme', 'widgets', 'ghp_alice'),
    ]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/500/);
  });

  it('enforces the hourly limit when it is set low', async () => {
    const low = await startTestBed({ rateLimit: 2 });
    try {
      const pat = new Octokit({ baseUrl: low.fake.apiUrl, auth: 'ghp_alice' });
      await pat.repos.get(repo);
      await pat.repos.get(repo);
      const error = await pat.repos.get(repo).catch(e => e);
      expect(error.status).toBe(403);
      expect(error.response.headers['x-ratelimit-remaining']).toBe('0');
      expect(error.response.data.message).toMatch(
        /^API rate limit exceeded for user ID \d+\.$/,
      );
      expect(error.response.headers['x-oauth-scopes']).toBe('repo');
    } finally {
      await low.cleanup();
    }
  });
});
