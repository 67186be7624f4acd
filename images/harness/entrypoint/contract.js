// @ts-check
'use strict';
const fs = require('node:fs');

/**
 * The harness contract's inputs, read from the environment the backend gives the pod (see
 * docs/harness-contract.md). Everything secret arrives as a file path, never as a value.
 *
 * @param {NodeJS.ProcessEnv} env
 */
function readContract(env) {
  const missing = ['AGENTS_REPO_URL', 'AGENTS_WORK_BRANCH', 'AGENTS_HARNESS', 'AGENTS_PROMPT_FILE', 'HOME'].filter(
    name => !env[name],
  );
  if (missing.length) {
    throw new Error(`Missing required environment: ${missing.join(', ')} (see docs/harness-contract.md)`);
  }
  return {
    sessionId: env.AGENTS_SESSION_ID ?? '',
    runId: env.AGENTS_RUN_ID ?? '',
    attempt: Number(env.AGENTS_RUN_ATTEMPT ?? '1'),
    harness: /** @type {string} */ (env.AGENTS_HARNESS),
    /** A module path that replaces the built-in adapter, for harnesses added by a custom image. */
    adapterModule: env.AGENTS_HARNESS_ADAPTER,
    repoUrl: /** @type {string} */ (env.AGENTS_REPO_URL),
    baseBranch: env.AGENTS_BASE_BRANCH || undefined,
    workBranch: /** @type {string} */ (env.AGENTS_WORK_BRANCH),
    prompt: fs.readFileSync(/** @type {string} */ (env.AGENTS_PROMPT_FILE), 'utf8'),
    gitTokenFile: env.AGENTS_GIT_TOKEN_FILE,
    hasGitToken: readSecretFile(env.AGENTS_GIT_TOKEN_FILE) !== '',
    runToken: readSecretFile(env.AGENTS_RUN_TOKEN_FILE),
    bundleUrl: env.AGENTS_BUNDLE_URL || undefined,
    bundleDigest: env.AGENTS_BUNDLE_DIGEST || undefined,
    bundleUploadUrl: env.AGENTS_BUNDLE_UPLOAD_URL || undefined,
    harnessSessionId: env.AGENTS_HARNESS_SESSION_ID || undefined,
    resultPrefix: env.AGENTS_RESULT_PREFIX || 'AGENTS_RESULT',
    home: /** @type {string} */ (env.HOME),
    workspace: env.AGENTS_WORKSPACE || process.cwd(),
    tmpDir: env.TMPDIR || '/tmp',
    authorName: env.AGENTS_GIT_AUTHOR_NAME || 'Agents for Backstage',
    authorEmail: env.AGENTS_GIT_AUTHOR_EMAIL || 'agents@backstage.invalid',
    /** How long the harness gets to stop on SIGTERM before it is killed. */
    stopTimeoutMs: Number(env.AGENTS_STOP_TIMEOUT_MS || 5000),
  };
}

/**
 * A secret's value from its file; empty when there is none (a repository that needs no Git token).
 *
 * @param {string | undefined} file
 */
function readSecretFile(file) {
  return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : '';
}

/**
 * The secrets whose values must never be printed: the run token, the Git token read the same way
 * the credential helper reads it, and the agent's API keys, which the credentials Secret puts in the
 * environment (OPENAI_API_KEY, ANTHROPIC_API_KEY and any other *_API_KEY or *_AUTH_TOKEN): a CLI
 * may echo one in an error.
 *
 * @param {NodeJS.ProcessEnv} env
 */
function secretValues(env) {
  const keys = Object.entries(env)
    .filter(([name]) => /_(API_KEY|AUTH_TOKEN)$/.test(name))
    .map(([, value]) => String(value ?? '').trim());
  return [...[env.AGENTS_GIT_TOKEN_FILE, env.AGENTS_RUN_TOKEN_FILE].map(readSecretFile), ...keys].filter(
    value => value.length >= 8,
  );
}

module.exports = { readContract, secretValues };
