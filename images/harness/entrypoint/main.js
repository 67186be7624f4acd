#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The harness entrypoint: runs one run of a session in its pod (or, in development, as a local
 * process under the cluster simulator) and honours the harness contract of docs/harness-contract.md:
 * clone the work branch, restore the session bundle, run the agent headless, commit and push, upload
 * the new bundle, and print exactly one `AGENTS_RESULT {json}` line. On SIGTERM (cancel, deadline)
 * it stops the agent and saves the partial work the same way.
 */
const fs = require('node:fs');
const path = require('node:path');
const { readContract, secretValues } = require('./contract');
const { createOutput } = require('./output');
const { Git } = require('./git');
const { restoreBundle, snapshotState, uploadBundle } = require('./bundle');
const { loadAdapter, startHarness } = require('./harness');

const EXIT = { succeeded: 0, failed: 1, interrupted: 143 };

async function main() {
  const out = createOutput(secretValues(process.env));
  /** @type {ReturnType<typeof readContract>} */
  let contract;
  try {
    contract = readContract(process.env);
  } catch (error) {
    out.print(String(/** @type {Error} */ (error).message));
    out.result(process.env.AGENTS_RESULT_PREFIX || 'AGENTS_RESULT', {
      status: 'failed',
      summary: /** @type {Error} */ (error).message,
    });
    return EXIT.failed;
  }

  /** @type {{ interrupted: boolean, stopHarness?: (graceMs: number) => Promise<void> }} */
  const state = { interrupted: false };
  const abort = new AbortController();
  process.on('SIGTERM', () => {
    if (state.interrupted) return;
    state.interrupted = true;
    out.step('Received SIGTERM: stopping the agent and saving its partial work');
    abort.abort();
    state.stopHarness?.(contract.stopTimeoutMs);
  });

  const git = new Git({
    repoDir: path.join(contract.workspace, 'repo'),
    authorName: contract.authorName,
    authorEmail: contract.authorEmail,
  });
  /** @type {string | undefined} */
  let startCommit;
  /** @type {{ sessionId?: string, summary?: string, error?: string, usage?: { inputTokens: number, outputTokens: number }, lastStderr?: string }} */
  let facts = { sessionId: contract.harnessSessionId };
  /** @type {string | undefined} */
  let failure;
  /** @type {ReturnType<typeof loadAdapter> | undefined} */
  let adapter;
  const status = () => (state.interrupted ? 'interrupted' : failure ? 'failed' : 'succeeded');
  /** A failure while saving: reported, and the run's result unless an earlier failure is. */
  const failedSaving = (/** @type {Error} */ error) => {
    failure ??= error.message;
    out.print(`Error: ${error.message}`);
  };

  try {
    adapter = loadAdapter(contract.harness, contract.adapterModule);
    // Before the clone: a harness without its model endpoint, key or a supported CLI fails at once.
    let harnessEnvironment = harnessEnv(process.env);
    if (adapter.prepare) {
      const prepared = await adapter.prepare({ home: contract.home, env: harnessEnvironment });
      harnessEnvironment = prepared.env;
      if (prepared.description) out.step(`Prepared ${prepared.description}`);
      for (const warning of prepared.warnings ?? []) out.print(`Warning: ${warning}`);
    }
    await git.configureCredentials(contract.hasGitToken ? contract.gitTokenFile : undefined);
    out.step(`Cloning ${contract.repoUrl}`);
    await git.clone(contract.repoUrl);
    const how = await git.checkoutWorkBranch(contract.workBranch, contract.baseBranch);
    startCommit = await git.head();
    // The path the agent sees as its working directory (symlinks resolved, as getcwd does).
    const workdir = fs.realpathSync(git.repoDir);
    out.step(
      how === 'resumed'
        ? `Continuing work branch ${contract.workBranch} at ${startCommit.slice(0, 12)}`
        : `Created work branch ${contract.workBranch} from ${contract.baseBranch ?? 'the default branch'}`,
    );

    if (contract.bundleUrl && !state.interrupted) {
      out.step('Restoring the agent state from the session bundle');
      const restored = await restoreBundle({
        url: contract.bundleUrl,
        digest: contract.bundleDigest,
        runToken: contract.runToken,
        home: contract.home,
        tmpDir: contract.tmpDir,
        signal: abort.signal,
      });
      out.step(`Restored ${restored.sizeBytes} bytes (${restored.digest})`);
      if (contract.harnessSessionId) {
        const moved = adapter.prepareResume?.({
          home: contract.home,
          workdir,
          harnessSessionId: contract.harnessSessionId,
        });
        if (moved?.moved) {
          out.step(`Moved the restored session to this work tree${moved.from ? ` (it was at ${moved.from})` : ''}`);
        }
        if (moved?.warning) out.print(`Warning: ${moved.warning}`);
      }
    }

    if (!state.interrupted) {
      out.step(
        `Running ${contract.harness}${contract.harnessSessionId ? ` (continuing its session ${contract.harnessSessionId})` : ''}`,
      );
      const harness = startHarness({
        adapter,
        prompt: contract.prompt,
        workdir,
        harnessSessionId: contract.harnessSessionId,
        env: harnessEnvironment,
        print: out.print,
      });
      state.stopHarness = harness.stop;
      facts = harness.facts;
      const exit = await harness.exited;
      if (exit.spawnError) {
        failure = `Could not start ${harness.command.file}: ${exit.spawnError.message} (is the ${contract.harness} CLI in the image?)`;
      } else if (!state.interrupted && exit.code !== 0) {
        failure =
          facts.error ??
          `${contract.harness} exited with ${exit.code ?? exit.signal}${facts.lastStderr ? `: ${clip(facts.lastStderr)}` : ''}`;
      }
    }
  } catch (error) {
    failure = /** @type {Error} */ (error).message;
  }
  if (failure) out.print(`Error: ${failure}`);

  // Whatever happened, keep what the agent did: commit, push, snapshot, upload.
  const saved = await saveWork({ contract, git, startCommit, status: status(), out }).catch(error => {
    failedSaving(error);
    return {};
  });
  const bundle = adapter && (await saveBundle({ contract, adapter, out }).catch(failedSaving));

  const finalStatus = status();
  out.result(contract.resultPrefix, {
    status: finalStatus,
    ...saved,
    harnessSessionId: facts.sessionId,
    bundle,
    // The tokens the CLI reported (all its model requests of this run), when it reported any.
    ...(facts.usage ? { usage: facts.usage } : {}),
    summary: summarize(finalStatus, facts, failure, contract),
  });
  return EXIT[finalStatus];
}

/**
 * @param {{ contract: ReturnType<typeof readContract>, git: Git, startCommit: string | undefined, status: string, out: ReturnType<typeof createOutput> }} options
 */
async function saveWork({ contract, git, startCommit, status, out }) {
  if (!startCommit) return {};
  const firstLine = contract.prompt.trim().split('\n')[0];
  const subject = `${status === 'interrupted' ? '[interrupted] ' : ''}Agent run ${contract.attempt}: ${firstLine}`;
  const committed = await git.commitAll(
    subject.length > 72 ? `${subject.slice(0, 71)}…` : subject,
    [
      `Agents-Session: ${contract.sessionId}`,
      `Agents-Run: ${contract.runId}`,
      `Agents-Harness: ${contract.harness}`,
    ].join('\n'),
  );
  if (committed) out.step('Committed the changes the agent left');
  const pushed = await git.pushIfAhead(contract.workBranch, startCommit);
  const headCommit = await git.head();
  out.step(pushed ? `Pushed ${contract.workBranch} at ${headCommit.slice(0, 12)}` : 'Nothing new to push');
  return { headCommit, filesChanged: await git.filesChangedSince(startCommit), pushed };
}

/**
 * @param {{ contract: ReturnType<typeof readContract>, adapter: ReturnType<typeof loadAdapter>, out: ReturnType<typeof createOutput> }} options
 */
async function saveBundle({ contract, adapter, out }) {
  if (!contract.bundleUploadUrl || !contract.runToken) return undefined;
  const snapshot = await snapshotState({
    home: contract.home,
    directories: adapter.stateDirectories,
    excludes: adapter.stateExcludes,
    tmpDir: contract.tmpDir,
  });
  if (!snapshot) {
    out.step('The agent left no state to bundle');
    return undefined;
  }
  try {
    await uploadBundle({ url: contract.bundleUploadUrl, runToken: contract.runToken, ...snapshot });
    out.step(`Uploaded the session bundle (${snapshot.sizeBytes} bytes, ${snapshot.digest})`);
    return { digest: snapshot.digest, sizeBytes: snapshot.sizeBytes };
  } finally {
    fs.rmSync(snapshot.file, { force: true });
  }
}

/**
 * @param {string} status
 * @param {{ summary?: string, error?: string }} facts
 * @param {string | undefined} failure
 * @param {ReturnType<typeof readContract>} contract
 */
function summarize(status, facts, failure, contract) {
  if (status === 'interrupted') {
    return `Interrupted; partial work saved on ${contract.workBranch}${facts.summary ? `. ${facts.summary}` : ''}`;
  }
  if (status === 'failed') return failure ?? facts.error ?? 'The agent failed';
  return facts.summary ?? `The agent finished on ${contract.workBranch}`;
}

/** @param {string} text */
function clip(text, max = 400) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The agent's environment: the pod's, without the path of the run token (only the entrypoint
 * transfers bundles).
 *
 * @param {NodeJS.ProcessEnv} env
 */
function harnessEnv(env) {
  const { AGENTS_RUN_TOKEN_FILE: _runToken, ...rest } = env;
  return rest;
}

main().then(
  code => process.exit(code),
  error => {
    process.stdout.write(`Error: ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
