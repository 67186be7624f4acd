import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { join } from 'node:path';
import {
  APP_ID,
  APP_KEYS,
  authedGitUrl,
  gitClient,
  startTestBed,
  TestBed,
} from './testUtils';

jest.setTimeout(30_000);

/** Backstage configuration with one GitHub integration at `host` that acts as App 4242. */
const githubAppConfig = (host: string, apiBaseUrl: string) =>
  new ConfigReader({
    integrations: {
      github: [
        {
          host,
          apiBaseUrl,
          apps: [
            {
              appId: APP_ID,
              privateKey: APP_KEYS.privateKeyPem,
              clientId: 'Iv1.fake',
              clientSecret: 'unused',
              webhookSecret: 'unused',
            },
          ],
        },
      ],
    },
  });

/** The fake behind Backstage's own GitHub App credentials provider, configured only by URLs. */
describe('Backstage GitHub integration against the fake', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await startTestBed();
  });
  afterAll(() => bed.cleanup());

  const provider = (apiBaseUrl: string) =>
    DefaultGithubCredentialsProvider.fromIntegrations(
      ScmIntegrations.fromConfig(
        githubAppConfig(new URL(bed.fake.url).host, apiBaseUrl),
      ),
    );

  it.each([
    ['the root', () => bed.fake.apiUrl],
    ['/api/v3', () => bed.fake.enterpriseApiUrl],
  ])(
    'gets an installation token through the API at %s and clones with it',
    async (_name, apiBaseUrl) => {
      const credentials = await provider(apiBaseUrl()).getCredentials({
        url: `${bed.fake.url}/acme/widgets`,
      });
      expect(credentials.type).toBe('app');
      expect(credentials.token).toMatch(/^ghs_/);
      const dir = join(bed.dir, `clone-${Math.random().toString(36).slice(2)}`);
      const clone = await gitClient([
        'clone',
        authedGitUrl(bed.fake, 'acme', 'widgets', credentials.token!),
        dir,
      ]);
      expect(clone.code).toBe(0);
    },
  );

  it('sees the repository selection of a selected-repositories installation', async () => {
    const github = provider(bed.fake.apiUrl);
    const ok = await github.getCredentials({ url: `${bed.fake.url}/solo/one` });
    expect(ok.token).toMatch(/^ghs_/);
    await expect(
      github.getCredentials({ url: `${bed.fake.url}/solo/two` }),
    ).rejects.toThrow(/does not have access to a repository with the name two/);
  });
});

/** Backstage's UrlReaderService (GithubUrlReader with a GitHub App) reading files through the contents API. */
describe("Backstage's URL reader against the fake", () => {
  let bed: TestBed;
  let base: string;
  const TASKS = '# Tasks\n\n- [ ] T001 Read me through Backstage\n';
  beforeAll(async () => {
    bed = await startTestBed();
    bed.fake.addInstallation(APP_ID, {
      id: 13,
      account: 'example-org',
      repositories: 'all',
    });
    await bed.fake.createRepo('example-org', 'payments-service', {
      files: { 'README.md': '# payments\n', 'specs/001-x/tasks.md': TASKS },
    });
    await bed.fake.commitFiles('example-org', 'payments-service', {
      branch: 'next',
      files: { 'specs/001-x/tasks.md': '# Tasks on a branch\n' },
    });
    // As a developer configures it: `localhost`, the API under /api/v3.
    base = `http://localhost:${bed.fake.port}`;
  });
  afterAll(() => bed.cleanup());

  const silent = {
    error() {},
    warn() {},
    info() {},
    debug() {},
    child() {
      return silent;
    },
  } as unknown as Parameters<typeof UrlReaders.default>[0]['logger'];

  const reader = () =>
    UrlReaders.default({
      logger: silent,
      config: githubAppConfig(`localhost:${bed.fake.port}`, `${base}/api/v3`),
    });

  it('reads a file with an installation token, honours its ETag and throws NotFoundError for a missing file', async () => {
    const urlReader = reader();
    const url = `${base}/example-org/payments-service/blob/main/specs/001-x/tasks.md`;
    const response = await urlReader.readUrl(url);
    expect((await response.buffer()).toString('utf8')).toBe(TASKS);
    expect(response.etag).toMatch(/^"[0-9a-f]{40}"$/);

    const contentsRequest = bed.fake.state
      .requests()
      .filter(r => r.path.includes('/contents/'))
      .pop();
    expect(contentsRequest).toMatchObject({
      path: '/api/v3/repos/example-org/payments-service/contents/specs/001-x/tasks.md',
      query: 'ref=main',
      status: 200,
      auth: { kind: 'installation', installationId: 13, appId: APP_ID },
    });

    await expect(
      urlReader.readUrl(url, { etag: response.etag }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });

    const branch = await urlReader.readUrl(
      `${base}/example-org/payments-service/blob/next/specs/001-x/tasks.md`,
    );
    expect((await branch.buffer()).toString('utf8')).toBe(
      '# Tasks on a branch\n',
    );

    await expect(
      urlReader.readUrl(
        `${base}/example-org/payments-service/blob/main/specs/001-x/missing.md`,
      ),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
