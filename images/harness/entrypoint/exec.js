// @ts-check
'use strict';
const { spawn } = require('node:child_process');

/**
 * Runs a command without a shell and resolves with its trimmed stdout; rejects with its stderr.
 * Arguments never carry secrets: git reads its token through the credential helper.
 *
 * @param {string} file
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, allowFailure?: boolean, timeoutMs?: number }} [options]
 * @returns {Promise<{ stdout: string, stderr: string, code: number }>}
 */
function exec(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // A command that hangs (a CLI waiting for the network) is killed rather than waited for.
      ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL' && options.timeoutMs) {
        reject(new Error(`${file} ${args[0] ?? ''} did not finish within ${options.timeoutMs / 1000} s`));
        return;
      }
      const result = { stdout: stdout.trim(), stderr: stderr.trim(), code: code ?? 1 };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new Error(`${file} ${args[0] ?? ''} failed (exit ${code}): ${stderr.trim() || stdout.trim()}`));
    });
  });
}

module.exports = { exec };
