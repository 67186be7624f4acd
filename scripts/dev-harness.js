#!/usr/bin/env node
// The development stand-in for the harness image, run by the cluster simulator's kubelet in place of
// `ghcr.io/backstage-agents/harness:*` (see scripts/start.sh). It honours the harness contract with
// real git and no coding agent: clone, check out the work branch, record the prompt in AGENTS.md,
// commit, push, and print the AGENTS_RESULT line.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = process.env;
const workspace = env.AGENTS_WORKSPACE;
const repoDir = path.join(workspace, 'repo');
const prompt = fs.readFileSync(env.AGENTS_PROMPT_FILE, 'utf8').trim();
const git = (...args) =>
  execFileSync('git', ['-c', 'user.name=Agents for Backstage', '-c', 'user.email=agents@example.com', ...args], {
    cwd: repoDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

function main() {
  console.log(`Cloning ${env.AGENTS_REPO_URL}`);
  execFileSync('git', ['clone', '--quiet', env.AGENTS_REPO_URL, repoDir], { stdio: 'inherit' });
  const work = env.AGENTS_WORK_BRANCH;
  const remoteWork = git('ls-remote', '--heads', 'origin', work);
  if (remoteWork) {
    console.log(`Resuming work branch ${work}`);
    git('checkout', '--quiet', '-B', work, `origin/${work}`);
  } else {
    const base = env.AGENTS_BASE_BRANCH || git('rev-parse', '--abbrev-ref', 'HEAD');
    console.log(`Creating work branch ${work} from ${base}`);
    git('checkout', '--quiet', '-B', work, `origin/${base}`);
  }
  console.log(`[${env.AGENTS_HARNESS}] ${prompt.split('\n')[0]}`);
  const notes = path.join(repoDir, 'AGENTS.md');
  fs.appendFileSync(notes, `\n## Run ${env.AGENTS_RUN_ATTEMPT}\n\n${prompt}\n`);
  git('add', 'AGENTS.md');
  git('commit', '--quiet', '-m', `Agent run ${env.AGENTS_RUN_ATTEMPT}: ${prompt.split('\n')[0]}`.slice(0, 72),
    '-m', `Agents-Session: ${env.AGENTS_SESSION_ID}\nAgents-Run: ${env.AGENTS_RUN_ID}`);
  git('push', '--quiet', 'origin', work);
  const head = git('rev-parse', 'HEAD');
  console.log(`Pushed ${work} at ${head}`);
  console.log(
    `${env.AGENTS_RESULT_PREFIX} ${JSON.stringify({
      status: 'succeeded',
      headCommit: head,
      filesChanged: 1,
      summary: `Recorded the prompt in AGENTS.md on ${work}`,
    })}`,
  );
}

try {
  main();
} catch (error) {
  console.error(String(error.stderr || error.message || error));
  console.log(`${env.AGENTS_RESULT_PREFIX} ${JSON.stringify({ status: 'failed', summary: 'The development harness failed' })}`);
  process.exit(1);
}
