import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  }).trim();

/**
 * A bare repository `<root>/<owner>/<name>.git`-less layout as the development rewrites expect
 * (`<root>/<owner>/<name>`), holding one commit on `main`.
 */
export function createBareRepo(root: string, owner: string, name: string): string {
  const bare = path.join(root, owner, name);
  fs.mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agents-seed-'));
  git(work, 'init', '--quiet', '--initial-branch=main');
  fs.writeFileSync(path.join(work, 'README.md'), `# ${name}\n`);
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'Initial commit');
  git(work, 'push', '--quiet', bare, 'main');
  fs.rmSync(work, { recursive: true, force: true });
  return bare;
}

/** Runs git in a repository (bare or not) and returns its trimmed output. */
export function gitIn(repo: string, ...args: string[]): string {
  return git(repo, ...args);
}
