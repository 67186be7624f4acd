// Here, not in testUtils.ts: the lint rule lets only test folders import devDependencies such as Octokit.
import { createAppAuth } from '@octokit/auth-app';
import { Octokit } from '@octokit/rest';
import { APP_ID, APP_KEYS } from '../testUtils';

/** An Octokit acting as App 4242 against `baseUrl` (a fake's `apiUrl` or `enterpriseApiUrl`). */
export function appOctokit(baseUrl: string): Octokit {
  return new Octokit({
    baseUrl,
    authStrategy: createAppAuth,
    auth: { appId: APP_ID, privateKey: APP_KEYS.privateKeyPem },
  });
}

/** Mints a token of the `acme` installation (11) as the App; `body` narrows it (repositories, permissions). */
export async function mintInstallationToken(
  baseUrl: string,
  body: Record<string, unknown> = {},
): Promise<string> {
  const { data } = await appOctokit(baseUrl).apps.createInstallationAccessToken(
    { installation_id: 11, ...body },
  );
  return data.token;
}
