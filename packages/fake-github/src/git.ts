import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Identity of commits the fake writes itself (initial commits, merges, seeded files). */
export const FAKE_IDENTITY = {
  name: 'GitHub',
  email: 'noreply@github.com',
};

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Environment for every git the fake runs: the user's and the system's config are ignored, so a
 * developer's settings (hooks paths, default branch, signing) never leak into the fake's repositories.
 */
export function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: FAKE_IDENTITY.name,
    GIT_AUTHOR_EMAIL: FAKE_IDENTITY.email,
    GIT_COMMITTER_NAME: FAKE_IDENTITY.name,
    GIT_COMMITTER_EMAIL: FAKE_IDENTITY.email,
    ...extra,
  };
}

/** Runs git, resolving with its output and exit code (never rejecting on a non-zero exit). */
export function runGit(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: gitEnv(options.env),
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof (error as any).code !== 'number') {
          reject(error);
          return;
        }
        resolve({
          stdout,
          stderr,
          code: error ? ((error as any).code as number) : 0,
        });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Like runGit, but throws with git's stderr on failure and returns trimmed stdout. */
export async function git(
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<string> {
  const result = await runGit(args, options);
  if (result.code !== 0) {
    throw new Error(
      `git ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`,
    );
  }
  return result.stdout.trim();
}

/** Runs git for its output as bytes: file contents need not be UTF-8. */
function gitBytes(args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { env: gitEnv(), maxBuffer: 128 * 1024 * 1024, encoding: 'buffer' },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new Error(
              `git ${args.join(' ')} failed: ${stderr.toString().trim()}`,
            ),
          );
        else resolve(stdout);
      },
    );
  });
}

/** One entry of a git tree, as `git ls-tree --long` prints it. */
export interface TreeEntry {
  /** `100644`, `100755`, `120000` (symlink), `040000` (tree), `160000` (submodule). */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
  /** Bytes of a blob; 0 for trees and submodules. */
  size: number;
  name: string;
}

/** What `git check-ref-format` refuses, and a leading `-` so a ref can never be read as an option. */
const UNSAFE_REF_NAME =
  /^[-/.]|[/.]$|\.lock$|\.lock\/|\.\.|\/\/|\/\.|@\{|[\s~^:?*[\\]/;

/** Whether a ref name may be handed to git; anything else is simply not found. */
export function isSafeRefName(ref: string): boolean {
  return (
    ref.length > 0 &&
    ref !== '@' &&
    !UNSAFE_REF_NAME.test(ref) &&
    ![...ref].some(c => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)
  );
}

const ZERO = '0000000000000000000000000000000000000000';

/** Read and write helpers over one bare repository. */
export class BareRepository {
  constructor(readonly dir: string) {}

  private git(args: string[], options: { input?: string; env?: any } = {}) {
    return git(['--git-dir', this.dir, ...args], options);
  }

  /** The branch HEAD points at (GitHub's default branch). */
  async defaultBranch(): Promise<string> {
    const result = await runGit([
      '--git-dir',
      this.dir,
      'symbolic-ref',
      '--short',
      'HEAD',
    ]);
    return result.code === 0 ? result.stdout.trim() : 'main';
  }

  /** The commit `rev` names, or undefined when it names none (git exits non-zero without a message). */
  private async verifyCommit(rev: string): Promise<string | undefined> {
    const result = await runGit([
      '--git-dir',
      this.dir,
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${rev}^{commit}`,
    ]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  /** The commit a branch points at, or undefined when it does not exist. */
  branchSha(branch: string): Promise<string | undefined> {
    return this.verifyCommit(`refs/heads/${branch}`);
  }

  /**
   * The commit a ref names, as GitHub resolves `?ref=`: a branch, a tag (peeled), a full `refs/…`
   * name, or a (possibly abbreviated) commit sha. Undefined when there is no such commit.
   */
  async resolveCommit(ref: string): Promise<string | undefined> {
    if (!isSafeRefName(ref)) return undefined;
    const candidates = ref.startsWith('refs/')
      ? [ref]
      : [`refs/heads/${ref}`, `refs/tags/${ref}`];
    if (/^[0-9a-f]{4,40}$/i.test(ref)) candidates.push(ref);
    for (const candidate of candidates) {
      const sha = await this.verifyCommit(candidate);
      if (sha) return sha;
    }
    return undefined;
  }

  /** The root tree of a commit. */
  async treeOf(commit: string): Promise<string> {
    return this.git([
      'rev-parse',
      '--verify',
      '--end-of-options',
      `${commit}^{tree}`,
    ]);
  }

  /**
   * The entries of a tree (`treeish` a tree or commit sha, or `<commit>:<dir>`), or undefined when it
   * does not name a tree (missing, or a file).
   */
  async treeEntries(treeish: string): Promise<TreeEntry[] | undefined> {
    const result = await runGit([
      '--git-dir',
      this.dir,
      'ls-tree',
      '-z',
      '--long',
      '--end-of-options',
      treeish,
    ]);
    if (result.code !== 0) return undefined;
    return result.stdout
      .split('\0')
      .filter(Boolean)
      .map(line => {
        const tab = line.indexOf('\t');
        const [mode, type, sha, size] = line.slice(0, tab).split(/ +/);
        return {
          mode,
          type: type as TreeEntry['type'],
          sha,
          size: Number(size) || 0,
          name: line.slice(tab + 1),
        };
      });
  }

  /** A blob's bytes. */
  readBlob(sha: string): Promise<Buffer> {
    return gitBytes(['--git-dir', this.dir, 'cat-file', 'blob', sha]);
  }

  /** How many commits `head` has that `base` does not (`git rev-list --count base..head`). */
  async commitsAhead(base: string, head: string): Promise<number> {
    const out = await this.git(['rev-list', '--count', `${base}..${head}`]);
    return Number(out);
  }

  /** Lines added/deleted and files changed from the merge base of `base` and `head` to `head`. */
  async diffStat(
    base: string,
    head: string,
  ): Promise<{ additions: number; deletions: number; changedFiles: number }> {
    const out = await this.git(['diff', '--numstat', `${base}...${head}`]);
    let additions = 0;
    let deletions = 0;
    let changedFiles = 0;
    for (const line of out.split('\n')) {
      if (!line) continue;
      const [a, d] = line.split('\t');
      changedFiles += 1;
      additions += Number(a) || 0;
      deletions += Number(d) || 0;
    }
    return { additions, deletions, changedFiles };
  }

  /**
   * Commits files on a branch without a work tree: starts from `parent` (a commit, or nothing for a root
   * commit), writes the files into a temporary index and moves the branch with a compare-and-swap
   * from `current` (the branch's commit now; omitted when the branch is new).
   */
  async commitFiles(options: {
    branch: string;
    files: Record<string, string>;
    message: string;
    parent?: string;
    current?: string;
    author?: { name: string; email: string };
  }): Promise<string> {
    const tmp = await mkdtemp(join(tmpdir(), 'fake-github-index-'));
    try {
      const env = { GIT_INDEX_FILE: join(tmp, 'index') };
      if (options.parent)
        await this.git(['read-tree', options.parent], { env });
      for (const [path, content] of Object.entries(options.files)) {
        const blob = await this.git(['hash-object', '-w', '--stdin'], {
          input: content,
        });
        await this.git(
          [
            'update-index',
            '--add',
            '--cacheinfo',
            `100644,${blob},${path.replace(/^\/+/, '')}`,
          ],
          { env },
        );
      }
      const tree = await this.git(['write-tree'], { env });
      const authorEnv = options.author
        ? {
            GIT_AUTHOR_NAME: options.author.name,
            GIT_AUTHOR_EMAIL: options.author.email,
          }
        : {};
      const commit = await this.git(
        [
          'commit-tree',
          tree,
          ...(options.parent ? ['-p', options.parent] : []),
          '-m',
          options.message,
        ],
        { env: authorEnv },
      );
      await this.git([
        'update-ref',
        `refs/heads/${options.branch}`,
        commit,
        options.current ?? ZERO,
      ]);
      return commit;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Whether commit `ancestor` is reachable from commit `descendant` (`git merge-base --is-ancestor`). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await runGit([
      '--git-dir',
      this.dir,
      'merge-base',
      '--is-ancestor',
      ancestor,
      descendant,
    ]);
    return result.code === 0;
  }

  /** Creates `ref` (a full `refs/…` name) at `sha`; false when it already exists (an atomic create). */
  async createRef(ref: string, sha: string): Promise<boolean> {
    const result = await runGit([
      '--git-dir',
      this.dir,
      'update-ref',
      ref,
      sha,
      ZERO,
    ]);
    return result.code === 0;
  }

  /**
   * Merges `head` into the `base` branch on the server, as the merge button does: a merge commit
   * (`merge`), or one commit with the merged tree on top of base (`squash`). Returns the new commit, or
   * undefined when the branches conflict.
   */
  async merge(options: {
    base: string;
    head: string;
    method: 'merge' | 'squash';
    message: string;
  }): Promise<string | undefined> {
    const baseSha = await this.branchSha(options.base);
    if (!baseSha) return undefined;
    const merged = await runGit([
      '--git-dir',
      this.dir,
      'merge-tree',
      '--write-tree',
      '--no-messages',
      baseSha,
      options.head,
    ]);
    if (merged.code !== 0) return undefined;
    const tree = merged.stdout.split('\n')[0].trim();
    const parents =
      options.method === 'merge'
        ? ['-p', baseSha, '-p', options.head]
        : ['-p', baseSha];
    const commit = await this.git([
      'commit-tree',
      tree,
      ...parents,
      '-m',
      options.message,
    ]);
    await this.git([
      'update-ref',
      `refs/heads/${options.base}`,
      commit,
      baseSha,
    ]);
    return commit;
  }
}

/** Creates a bare repository whose default branch holds one initial commit with the given files. */
export async function initBareRepository(
  dir: string,
  options: { defaultBranch: string; files: Record<string, string> },
): Promise<BareRepository> {
  await git(['init', '--quiet', '--bare', '-b', options.defaultBranch, dir]);
  await git(['--git-dir', dir, 'config', 'http.receivepack', 'true']);
  const repo = new BareRepository(dir);
  await repo.commitFiles({
    branch: options.defaultBranch,
    files: options.files,
    message: 'Initial commit',
  });
  return repo;
}
