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
        new ConfigReader({
          integrations: {
            github: [
              {
                host: new URL(bed.fake.url).host,
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
        }),
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
