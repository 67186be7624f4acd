import type { ScmIntegrationRegistry } from '@backstage/integration';

/** A repository on a configured GitHub (github.com or an Enterprise Server host). */
export interface GitHubRepo {
  host: string;
  owner: string;
  repo: string;
  /** The REST API base URL from the integration config, e.g. https://ghe.example.com/api/v3. */
  apiBaseUrl: string;
}

/**
 * The GitHub repository behind a session's repository URL, when its host has a `integrations.github`
 * entry; undefined for anything else (a local or mirrored repository needs no GitHub token).
 */
export function githubRepoOf(
  repoUrl: string,
  integrations: ScmIntegrationRegistry,
): GitHubRepo | undefined {
  let url: URL;
  try {
    url = new URL(repoUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const integration = integrations.github.byHost(url.host);
  if (!integration) return undefined;
  const [owner, name] = url.pathname.replace(/^\/+/, '').split('/');
  if (!owner || !name) return undefined;
  return {
    host: url.host,
    owner,
    repo: name.replace(/\.git$/, ''),
    apiBaseUrl: integration.config.apiBaseUrl ?? `${url.protocol}//${url.host}/api/v3`,
  };
}
