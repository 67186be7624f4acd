// @ts-check
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');
const { forEachLine } = require('./output');

/**
 * @typedef {{ inputTokens: number, outputTokens: number }} TokenUsage
 *
 * @typedef {object} HarnessAdapter
 * @property {string} name
 * @property {string[]} stateDirectories  relative to HOME: what a bundle holds
 * @property {string[]} [stateExcludes]  tar patterns left out of a bundle (credentials, logs)
 * @property {(input: { home: string, env: NodeJS.ProcessEnv }) => Promise<{ env: NodeJS.ProcessEnv, description?: string, warnings?: string[] }>} [prepare]
 *   before anything else: checks what the CLI needs (model endpoint, key, version), writes its
 *   configuration into HOME, and returns the environment it runs with; throws to fail the run
 * @property {(input: { prompt: string, workdir: string, harnessSessionId?: string, env: NodeJS.ProcessEnv }) => { file: string, args: string[], stdin?: string }} command
 * @property {(line: string, context?: { workdir: string }) => { log?: string[], sessionId?: string, summary?: string, error?: string, usage?: TokenUsage }} parseLine
 *   `usage`: tokens reported by this line, added up over the run
 * @property {(input: { home: string, workdir: string, harnessSessionId: string }) => { moved?: boolean, from?: string, warning?: string } | undefined} [prepareResume]
 *   adapts restored state to this pod before a resume (e.g. a working directory path in it)
 */

/**
 * Loads the adapter of a harness: a module named by AGENTS_HARNESS_ADAPTER (a custom image's own
 * harness), else the built-in `adapters/<name>.js`.
 *
 * @param {string} harness
 * @param {string | undefined} modulePath
 * @returns {HarnessAdapter}
 */
function loadAdapter(harness, modulePath) {
  if (!/^[a-z0-9-]+$/.test(harness)) throw new Error(`Invalid harness name '${harness}'`);
  const target = modulePath ?? path.join(__dirname, 'adapters', `${harness}.js`);
  try {
    return require(target);
  } catch (error) {
    throw new Error(`No adapter for harness '${harness}' (${target}): ${/** @type {Error} */ (error).message}`);
  }
}

/**
 * Runs the harness headless in its own process group, turning its output into log lines and
 * collecting what it reports: its session id, a summary, an error. `workdir` has its symlinks
 * resolved, as the agent's getcwd() reports it and so the paths in its output.
 *
 * @param {{ adapter: HarnessAdapter, prompt: string, workdir: string, harnessSessionId?: string, env: NodeJS.ProcessEnv, print: (text: string) => void }} options
 */
function startHarness(options) {
  const { adapter, print } = options;
  const command = adapter.command({
    prompt: options.prompt,
    workdir: options.workdir,
    harnessSessionId: options.harnessSessionId,
    env: options.env,
  });
  const child = spawn(command.file, command.args, {
    cwd: options.workdir,
    // PWD as a shell would set it: OpenCode takes its directory from PWD when set, and the pod's
    // (the container's working directory, /workspace) is not the work tree.
    env: { ...options.env, PWD: options.workdir },
    detached: true,
    stdio: [command.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (command.stdin !== undefined && child.stdin) child.stdin.end(command.stdin);

  /** @type {{ sessionId?: string, summary?: string, error?: string, usage?: TokenUsage, lastStderr?: string }} */
  const facts = { sessionId: options.harnessSessionId };
  forEachLine(/** @type {NodeJS.ReadableStream} */ (child.stdout), line => {
    let parsed;
    try {
      parsed = adapter.parseLine(line, { workdir: options.workdir });
    } catch {
      parsed = { log: [line] };
    }
    for (const text of parsed.log ?? []) print(text);
    if (parsed.sessionId) facts.sessionId = parsed.sessionId;
    if (parsed.summary) facts.summary = parsed.summary;
    if (parsed.error) facts.error = parsed.error;
    if (parsed.usage) facts.usage = addUsage(facts.usage, parsed.usage);
  });
  forEachLine(/** @type {NodeJS.ReadableStream} */ (child.stderr), line => {
    print(line);
    // What a CLI that fails without a JSON error said last ("Session not found").
    if (line.trim()) facts.lastStderr = line.trim();
  });

  /** @type {Promise<{ code: number | null, signal: NodeJS.Signals | null, spawnError?: Error }>} */
  const exited = new Promise(resolve => {
    child.on('error', error => resolve({ code: null, signal: null, spawnError: error }));
    child.on('close', (code, signal) => resolve({ code, signal }));
  });

  /** Asks the harness to stop (SIGTERM to its group), then kills it after `graceMs`. */
  const stop = async (/** @type {number} */ graceMs) => {
    const group = (/** @type {NodeJS.Signals} */ signal) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return { exited, stop, facts, command };
}

/**
 * @param {TokenUsage | undefined} total
 * @param {TokenUsage} more
 * @returns {TokenUsage}
 */
function addUsage(total, more) {
  return {
    inputTokens: (total?.inputTokens ?? 0) + (more.inputTokens ?? 0),
    outputTokens: (total?.outputTokens ?? 0) + (more.outputTokens ?? 0),
  };
}

module.exports = { loadAdapter, startHarness };
