import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CliError } from '../errors';

const run = promisify(execFile);

/** The URL of the `origin` remote of the checkout that contains `dir`. */
export async function readGitOrigin(dir: string): Promise<string> {
  try {
    const { stdout } = await run('git', [
      '-C',
      dir,
      'remote',
      'get-url',
      'origin',
    ]);
    return stdout.trim();
  } catch (error) {
    const detail = String(
      (error as { stderr?: string }).stderr ?? (error as Error).message,
    ).trim();
    throw new CliError(
      `Cannot read the origin remote of the checkout containing ${dir} (${detail}): run implement on a tasks.md inside a git clone of the entity's repository`,
    );
  }
}

/**
 * A repository URL as `host/owner/repo`, lower-case, so that the https, ssh (`git@host:owner/repo`,
 * `ssh://git@host/owner/repo`) and `.git` forms of one repository compare equal.
 */
export function normalizeRepoUrl(url: string): string {
  let text = url.trim();
  // scp-like ssh: git@github.com:org/repo.git
  const scp = /^(?:[\w.-]+@)?([\w.-]+):(?!\/\/)(.+)$/.exec(text);
  if (scp) text = `ssh://${scp[1]}/${scp[2]}`;
  try {
    const parsed = new URL(text);
    text = `${parsed.hostname}${parsed.pathname}`;
  } catch {
    // Not a URL: compare it as written.
  }
  return text
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}
