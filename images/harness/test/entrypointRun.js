// Runs the real entrypoint (entrypoint/main.js) as a process with the environment the backend gives
// a harness pod (docs/harness-contract.md, "Inputs"; plugins/agents-backend/src/runtime/
// runManifests.ts), against a local bare repository and the bundle server stand-in.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ENTRYPOINT = path.resolve(__dirname, '..', 'entrypoint', 'main.js');
const RESULT_PREFIX = 'AGENTS_RESULT';

function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A bare repository holding one commit on main, reachable by its path. */
function bareRepo(dir) {
  const bare = path.join(dir, 'origin.git');
  const seed = path.join(dir, 'seed');
  fs.mkdirSync(seed, { recursive: true });
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(seed, 'init', '--quiet', '--initial-branch=main');
  fs.writeFileSync(path.join(seed, 'README.md'), '# payments\n');
  git(seed, 'add', '.');
  git(seed, 'commit', '--quiet', '-m', 'Initial commit');
  git(seed, 'push', '--quiet', bare, 'main');
  return bare;
}

/**
 * One run's environment. `dir` gets the run's secrets directory, HOME, workspace and TMPDIR (fresh
 * and empty, as a pod's volumes are), unless `workspace` names the workspace to use.
 *
 * @param {{ dir: string, runId: string, attempt: number, harness: string, repo: string, prompt: string,
 *   runToken: string, bundles: { urlFor(runId: string): string }, input?: { digest: string },
 *   harnessSessionId?: string, workspace?: string, extra?: Record<string, string> }} options
 */
function runEnv(options) {
  const { dir } = options;
  const secrets = path.join(dir, 'secrets');
  const home = path.join(dir, 'home');
  const workspace = options.workspace ?? path.join(dir, 'workspace');
  const tmp = path.join(dir, 'tmp');
  for (const d of [secrets, home, workspace, tmp]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(secrets, 'prompt'), options.prompt);
  fs.writeFileSync(path.join(secrets, 'git-token'), '');
  fs.writeFileSync(path.join(secrets, 'run-token'), options.runToken);
  const bundleUrl = options.bundles.urlFor(options.runId);
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    AGENTS_SESSION_ID: 'ses-1',
    AGENTS_RUN_ID: options.runId,
    AGENTS_RUN_ATTEMPT: String(options.attempt),
    AGENTS_HARNESS: options.harness,
    AGENTS_REPO_URL: options.repo,
    AGENTS_WORK_BRANCH: 'agents/ses-1',
    AGENTS_PROMPT_FILE: path.join(secrets, 'prompt'),
    AGENTS_GIT_TOKEN_FILE: path.join(secrets, 'git-token'),
    AGENTS_RUN_TOKEN_FILE: path.join(secrets, 'run-token'),
    AGENTS_RESULT_PREFIX: RESULT_PREFIX,
    AGENTS_BUNDLE_UPLOAD_URL: bundleUrl,
    ...(options.input ? { AGENTS_BUNDLE_URL: bundleUrl, AGENTS_BUNDLE_DIGEST: options.input.digest } : {}),
    ...(options.harnessSessionId ? { AGENTS_HARNESS_SESSION_ID: options.harnessSessionId } : {}),
    AGENTS_WORKSPACE: workspace,
    // As a kubelet (the cluster simulator's) sets it: the container's working directory.
    PWD: workspace,
    HOME: home,
    TMPDIR: tmp,
    ...options.extra,
  };
}

/**
 * Runs the entrypoint to its end. Resolves with its exit code, its output lines and the parsed
 * AGENTS_RESULT (which must be the last line).
 *
 * @param {Record<string, string>} env
 * @param {{ timeoutMs?: number }} [options]
 */
function runEntrypoint(env, { timeoutMs = 90_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRYPOINT], { cwd: env.AGENTS_WORKSPACE, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      const lines = stdout.trimEnd().split('\n');
      const last = lines[lines.length - 1] ?? '';
      const result = last.startsWith(`${RESULT_PREFIX} `) ? JSON.parse(last.slice(RESULT_PREFIX.length + 1)) : undefined;
      resolve({ code, stdout, stderr, lines, result, log: stdout });
    });
  });
}

/** The member names of a gzip-compressed tar. */
function tarMembers(body, dir) {
  const file = path.join(dir, `bundle-${Date.now()}-${Math.random().toString(36).slice(2)}.tar.gz`);
  fs.writeFileSync(file, body);
  const r = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
  fs.rmSync(file);
  if (r.status !== 0) throw new Error(`tar -tzf: ${r.stderr}`);
  return r.stdout.trim().split('\n');
}

module.exports = { bareRepo, runEnv, runEntrypoint, tarMembers, git };
