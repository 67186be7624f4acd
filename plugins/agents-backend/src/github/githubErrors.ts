/** GitHub's answer, as Octokit's RequestError carries it. */
interface GitHubRequestError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

/**
 * A one-line, actionable description of a failed GitHub call: what GitHub said and what to check.
 * Never includes request headers (they carry credentials).
 */
export function describeGitHubError(error: unknown, what: string): string {
  const e = error as GitHubRequestError;
  const data = e.response?.data as { message?: string; errors?: Array<{ message?: string }> } | undefined;
  const said = [data?.message ?? e.message, ...(data?.errors ?? []).map(x => x.message)]
    .filter(Boolean)
    .join('; ');
  const headers = e.response?.headers ?? {};
  switch (e.status) {
    case 401:
      return `${what}: GitHub rejected the credentials (401 ${said}); check the GitHub App's id and private key in integrations.github`;
    case 403:
      if (headers['x-ratelimit-remaining'] === '0') {
        const reset = Number(headers['x-ratelimit-reset']);
        const at = Number.isFinite(reset) ? new Date(reset * 1000).toISOString() : 'later';
        return `${what}: GitHub's rate limit is exhausted until ${at} (403 ${said})`;
      }
      return `${what}: GitHub refused it (403 ${said}); check the GitHub App's permissions (contents and pull requests: write)`;
    case 404:
      return `${what}: not found on GitHub (404 ${said}); check that the repository exists and the GitHub App is installed on it`;
    case 422:
      return `${what}: GitHub could not process it (422 ${said})`;
    default:
      return `${what}: ${e.status ? `GitHub answered ${e.status}` : 'GitHub could not be reached'} (${said || String(error)})`;
  }
}

export function isGitHubStatus(error: unknown, status: number): boolean {
  return (error as GitHubRequestError)?.status === status;
}
