import { Octokit } from '@octokit/rest';
import { generateAppKeyPair, signAppJwt } from './jwt';
import { APP_ID, APP_KEYS, startTestBed, TestBed } from './testUtils';
import { appOctokit, mintInstallationToken } from './__testUtils__/octokit';

jest.setTimeout(30_000);

describe('GitHub App authentication', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const withJwt = (jwt: string) =>
    new Octokit({ baseUrl: bed.fake.apiUrl, auth: jwt });
  const now = () => Math.floor(Date.now() / 1000);
  const jwt = (claims: { iat?: number; exp?: number; alg?: string } = {}) =>
    signAppJwt({
      issuer: APP_ID,
      privateKeyPem: APP_KEYS.privateKeyPem,
      ...claims,
    });

  it('serves the App, its installations and repository installations to a valid JWT', async () => {
    const octokit = appOctokit(bed.fake.apiUrl);
    const { data: app } = await octokit.apps.getAuthenticated();
    expect(app).toMatchObject({ id: APP_ID, slug: 'agents-app' });
    const installations = await octokit.paginate('GET /app/installations', {
      per_page: 1,
    });
    expect(installations.map(i => [i.id, (i.account as any)?.login])).toEqual([
      [11, 'acme'],
      [12, 'solo'],
    ]);
    const { data: installation } = await octokit.apps.getRepoInstallation({
      owner: 'acme',
      repo: 'widgets',
    });
    expect(installation).toMatchObject({
      id: 11,
      app_id: APP_ID,
      repository_selection: 'all',
    });
    await expect(
      octokit.apps.getRepoInstallation({ owner: 'solo', repo: 'two' }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('accepts the App id as a string issuer too', async () => {
    const token = signAppJwt({
      issuer: String(APP_ID),
      privateKeyPem: APP_KEYS.privateKeyPem,
    });
    const { data } = await withJwt(token).apps.getAuthenticated();
    expect(data.id).toBe(APP_ID);
  });

  it.each([
    [
      'a JWT signed by another key',
      () =>
        signAppJwt({
          issuer: APP_ID,
          privateKeyPem: generateAppKeyPair().privateKeyPem,
        }),
      'A JSON web token could not be decoded',
    ],
    [
      'an unknown App id',
      () => signAppJwt({ issuer: 999, privateKeyPem: APP_KEYS.privateKeyPem }),
      'A JSON web token could not be decoded',
    ],
    [
      'garbage',
      () => 'eyJhbGciOi.not-a.jwt',
      'A JSON web token could not be decoded',
    ],
    [
      'an algorithm other than RS256',
      () => jwt({ alg: 'RS512' }),
      'A JSON web token could not be decoded',
    ],
    [
      'an expired JWT',
      () => jwt({ iat: now() - 700, exp: now() - 100 }),
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    ],
    [
      'an exp more than ten minutes after iat',
      () => jwt({ iat: now() - 30, exp: now() + 11 * 60 }),
      "'Expiration time' claim ('exp') is too far in the future",
    ],
    [
      'an iat in the future',
      () => jwt({ iat: now() + 300, exp: now() + 500 }),
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    ],
  ])('refuses %s with 401 and GitHub message', async (_name, make, message) => {
    const error = await withJwt(make())
      .apps.getAuthenticated()
      .catch(e => e);
    expect(error.status).toBe(401);
    expect(error.response.data).toEqual({
      message,
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });

  it('refuses an installation token where a JWT is needed', async () => {
    const error = await new Octokit({
      baseUrl: bed.fake.apiUrl,
      auth: await mintInstallationToken(bed.fake.apiUrl),
    }).apps
      .getAuthenticated()
      .catch(e => e);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/A JSON web token could not be decoded/);
  });
});

describe('installation access tokens', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const app = () => appOctokit(bed.fake.apiUrl);
  const as = (token: string) =>
    new Octokit({ baseUrl: bed.fake.apiUrl, auth: token });

  it('mints a token scoped to one repository with the requested permissions', async () => {
    const { status, data } = await app().apps.createInstallationAccessToken({
      installation_id: 11,
      repositories: ['widgets'],
      permissions: { contents: 'write', pull_requests: 'write' },
    });
    expect(status).toBe(201);
    expect(data.token).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
    const ttl = Date.parse(data.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(59 * 60_000);
    expect(ttl).toBeLessThanOrEqual(60 * 60_000);
    expect(data.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(data.repository_selection).toBe('selected');
    expect(data.permissions).toEqual({
      contents: 'write',
      pull_requests: 'write',
      metadata: 'read',
    });
    expect(data.repositories?.map(r => r.full_name)).toEqual(['acme/widgets']);

    const scoped = as(data.token);
    const { data: repo } = await scoped.repos.get({
      owner: 'acme',
      repo: 'widgets',
    });
    expect(repo).toMatchObject({
      full_name: 'acme/widgets',
      default_branch: 'main',
      private: true,
      clone_url: bed.fake.gitUrl('acme', 'widgets'),
      owner: { login: 'acme' },
    });
    // The other repository of the same owner is hidden, as on GitHub.
    await expect(
      scoped.repos.get({ owner: 'acme', repo: 'gadgets' }),
    ).rejects.toMatchObject({ status: 404 });
    const listed = await scoped.paginate('GET /installation/repositories');
    expect(listed.map(r => r.name)).toEqual(['widgets']);
    expect(bed.fake.state.tokens().at(-1)).toMatchObject({
      installationId: 11,
      repositories: ['widgets'],
    });
  });

  it('mints an all-repositories token without a selection, and by repository ids', async () => {
    const { data: all } = await app().apps.createInstallationAccessToken({
      installation_id: 11,
    });
    expect(all.repository_selection).toBe('all');
    expect(all.repositories).toBeUndefined();
    const gadgets = bed.fake.state.repos().find(r => r.name === 'gadgets')!;
    const { data: byId } = await app().apps.createInstallationAccessToken({
      installation_id: 11,
      repository_ids: [gadgets.id],
    });
    expect(byId.repositories?.map(r => r.name)).toEqual(['gadgets']);
  });

  it('answers 422 for a repository outside the installation or permissions beyond it', async () => {
    const outside = await app()
      .apps.createInstallationAccessToken({
        installation_id: 12,
        repositories: ['two'],
      })
      .catch(e => e);
    expect(outside.status).toBe(422);
    expect(outside.response.data.message).toBe(
      'There is at least one repository that does not exist or is not accessible to the parent installation.',
    );
    const missing = await app()
      .apps.createInstallationAccessToken({
        installation_id: 11,
        repositories: ['nope'],
      })
      .catch(e => e);
    expect(missing.status).toBe(422);
    const tooMuch = await app()
      .apps.createInstallationAccessToken({
        installation_id: 11,
        permissions: { administration: 'write' },
      })
      .catch(e => e);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.response.data.message).toBe(
      'The permissions requested are not granted to this installation.',
    );
    const unknownInstallation = await app()
      .apps.createInstallationAccessToken({ installation_id: 99 })
      .catch(e => e);
    expect(unknownInstallation.status).toBe(404);
  });

  it('refuses expired and revoked tokens with 401 Bad credentials', async () => {
    const { data } = await app().apps.createInstallationAccessToken({
      installation_id: 11,
    });
    await as(data.token).repos.get({ owner: 'acme', repo: 'widgets' });
    bed.fake.expireToken(data.token);
    const expired = await as(data.token)
      .repos.get({ owner: 'acme', repo: 'widgets' })
      .catch(e => e);
    expect(expired.status).toBe(401);
    expect(expired.response.data.message).toBe('Bad credentials');

    const { data: other } = await app().apps.createInstallationAccessToken({
      installation_id: 11,
    });
    await as(other.token).apps.revokeInstallationAccessToken();
    await expect(
      as(other.token).repos.get({ owner: 'acme', repo: 'widgets' }),
    ).rejects.toMatchObject({ status: 401 });
  });

  it('tokens expire after the configured lifetime', async () => {
    const short = await startTestBed({ installationTokenTtlSeconds: 1 });
    try {
      const token = await mintInstallationToken(short.fake.apiUrl);
      await new Promise(r => setTimeout(r, 1100));
      await expect(
        new Octokit({ baseUrl: short.fake.apiUrl, auth: token }).repos.get({
          owner: 'acme',
          repo: 'widgets',
        }),
      ).rejects.toMatchObject({ status: 401 });
    } finally {
      await short.cleanup();
    }
  });
});
