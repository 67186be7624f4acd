// @ts-check
'use strict';
// The version of an agent CLI, checked before a run: each adapter speaks one major version of its
// CLI (its flags, its JSON events, where it keeps its sessions). Another major is refused with a
// clear error instead of a run that fails half-way, or succeeds while reading nothing of the output.

const { exec } = require('../exec');

/** `opencode --version` takes about a second; anything near this means it is stuck. */
const VERSION_TIMEOUT_MS = 30_000;

/**
 * Runs `<file> --version` and checks its major version.
 *
 * @param {{ file: string, displayName: string, supportedMajor: number, why: string, env: NodeJS.ProcessEnv, cwd: string }} options
 *   `why`: what changed in the next major, for the error
 * @returns {Promise<string>} the version, e.g. 1.18.33
 */
async function checkCliVersion({ file, displayName, supportedMajor, why, env, cwd }) {
  let output;
  try {
    output = await exec(file, ['--version'], { env, cwd, timeoutMs: VERSION_TIMEOUT_MS });
  } catch (error) {
    const message = /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT'
      ? `${file} is not on PATH`
      : /** @type {Error} */ (error).message;
    throw new Error(`Could not read the ${displayName} version (is the ${displayName} CLI in the image?): ${message}`);
  }
  const version = /(\d+)\.(\d+)\.(\d+)/.exec(output.stdout);
  if (!version) {
    throw new Error(`Could not read the ${displayName} version from \`${file} --version\`: ${JSON.stringify(output.stdout.slice(0, 200))}`);
  }
  if (Number(version[1]) !== supportedMajor) {
    throw new Error(
      `${displayName} ${version[0]} is not supported: this harness runs ${displayName} ${supportedMajor}.x (${why}). Use an image with ${displayName} ${supportedMajor}.x (images/harness/versions.env).`,
    );
  }
  return version[0];
}

module.exports = { checkCliVersion };
