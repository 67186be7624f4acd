import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKEND, guestHeaders } from '../support/guest';

/**
 * Runs the commands of README.md and docs/*.md against the started app, once, as a reader would paste
 * them: every ```sh (or bash, shell, zsh) block, and every inline `command` in prose that talks to the
 * app (curl against localhost:7007, kubectl with KUBECONFIG=.data/kube/config). Commands that do not
 * talk to the app run when listed in OFFLINE; a command that cannot run here must be listed in SKIPPED
 * with the reason. A command that is neither run nor listed fails the first test, so a new command in
 * the docs is never silently left untried.
 *
 * `.data/` in a command is the app's data directory: AGENTS_DATA_DIR when set (scripts/test.sh passes
 * the temporary directory it starts the app with), else `.data/` of the repository, the default of
 * scripts/start.sh.
 */

const ROOT = path.resolve(__dirname, '../..');
const DATA_DIR = path.resolve(ROOT, process.env.AGENTS_DATA_DIR ?? '.data');
const COMMAND_LANGUAGES = ['sh', 'bash', 'shell', 'zsh'];

/** A command talks to the running app when it calls its backend or the cluster simulator it started. */
const TALKS_TO_APP = /\blocalhost:7007\b|(^|\s)KUBECONFIG=\.data\//;
/** An inline code span that is a command (rather than a path or a value) and talks to the app. */
const INLINE_COMMAND = /^([A-Z_]+=\S+\s+)*(curl|kubectl)\s/;

/** Commands that are not run here, and why. Each entry must still match a command in the docs. */
const SKIPPED: Array<{ file: string; command: RegExp; reason: string }> = [
  {
    file: 'README.md',
    command: /^bash scripts\/start\.sh\b/,
    reason: 'starts the app itself; this test runs against the app already started (scripts/test.sh starts it)',
  },
  {
    file: 'README.md',
    command: /^bash scripts\/test\.sh\b/,
    reason: 'runs every test, this one included',
  },
  {
    file: 'README.md',
    command: /^source scripts\/env\.sh && yarn bench\b/,
    reason: 'benchmarks: minutes of load that print figures to compare, not a check',
  },
  {
    file: 'docs/performance.md',
    command: /^source scripts\/env\.sh && yarn bench\b/,
    reason: 'benchmarks: minutes of load that print figures to compare, not a check',
  },
  {
    file: 'docs/reliability.md',
    command: /^(source scripts\/env\.sh$|([A-Z_0-9]+=\S+\s+)*yarn (chaos|fuzz)\b)/,
    reason: 'the chaos run (two more backends, 1,000 sessions, a PostgreSQL restart) and the fuzzer (a test the unit test step runs) take minutes and the machine to themselves',
  },
  {
    file: 'docs/deploy.md',
    command: /^(docker |\(cd images\/harness && docker |cd images\/harness$)/,
    reason: 'needs a Docker engine and an image registry; the build machines have neither',
  },
  {
    file: 'docs/deploy.md',
    command: /^kind /,
    reason: 'creates and loads a kind cluster, which needs a Docker engine',
  },
  {
    file: 'docs/deploy.md',
    command: /^kubectl (apply -k deploy\/|-n backstage |create namespace backstage )/,
    reason: 'installs the suite (its namespace, secrets, overlay) into a real cluster and waits for its rollout; the simulator is not one to install into',
  },
  {
    file: 'docs/deploy.md',
    command: /^kubectl -n agents (run|logs) np-check\b/,
    reason: 'checks NetworkPolicy enforcement, which needs a real cluster with a CNI that enforces it',
  },
  {
    file: 'docs/deploy.md',
    command: /^(bash scripts\/install-helm\.sh|source scripts\/env\.sh && cd deploy && CI=true yarn test)\b/,
    reason: 'the deploy tests: scripts/test.sh installs helm and runs them in its unit test step',
  },
  {
    file: 'docs/deploy.md',
    command: /^node deploy\/scripts\/github-cidrs\.js --fetch\b/,
    reason: 'downloads https://api.github.com/meta and rewrites committed files; the build machines have no GitHub',
  },
];

/** Commands that do not talk to the app but run here all the same, offline and without side effects. */
const OFFLINE: Array<{ file: string; command: RegExp }> = [
  { file: 'docs/deploy.md', command: /^node deploy\/scripts\/github-cidrs\.js --check\b/ },
];

interface DocCommand {
  file: string;
  /** 1-based line of the command's first line. */
  line: number;
  text: string;
}

interface DocBlock {
  file: string;
  line: number;
  inline: boolean;
  commands: DocCommand[];
}

function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter(name => name.endsWith('.md'))
    .sort()
    .map(name => `docs/${name}`);
  return ['README.md', ...docs];
}

/** The logical commands of a block: continuation lines joined, blank and comment-only lines left out. */
function splitCommands(file: string, firstLine: number, lines: string[]): DocCommand[] {
  const commands: DocCommand[] = [];
  let current: DocCommand | undefined;
  lines.forEach((text, i) => {
    if (current) {
      current.text += `\n${text}`;
    } else if (text.trim() && !text.trim().startsWith('#')) {
      current = { file, line: firstLine + i, text };
    } else {
      return;
    }
    if (!/\\\s*$/.test(text)) {
      commands.push(current);
      current = undefined;
    }
  });
  if (current) commands.push(current);
  return commands;
}

function extractBlocks(file: string): DocBlock[] {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let fence: { marker: string; language: string; line: number; body: string[] } | undefined;
  lines.forEach((text, i) => {
    const opening = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
    if (fence) {
      if (opening && opening[1].startsWith(fence.marker) && !opening[2]) {
        if (COMMAND_LANGUAGES.includes(fence.language)) {
          blocks.push({
            file,
            line: fence.line,
            inline: false,
            commands: splitCommands(file, fence.line + 1, fence.body),
          });
        }
        fence = undefined;
      } else {
        fence.body.push(text);
      }
      return;
    }
    if (opening) {
      fence = { marker: opening[1], language: opening[2].toLowerCase(), line: i + 1, body: [] };
      return;
    }
    for (const match of text.matchAll(/`([^`]+)`/g)) {
      const span = match[1].trim();
      if (INLINE_COMMAND.test(span) && TALKS_TO_APP.test(span)) {
        blocks.push({ file, line: i + 1, inline: true, commands: [{ file, line: i + 1, text: span }] });
      }
    }
  });
  return blocks;
}

const skipRule = (command: DocCommand) =>
  SKIPPED.find(rule => rule.file === command.file && rule.command.test(command.text.trim()));

/** Whether this test runs a command: it talks to the app, or is listed as one that runs offline. */
const runsHere = (command: DocCommand) =>
  !skipRule(command) &&
  (TALKS_TO_APP.test(command.text) ||
    OFFLINE.some(rule => rule.file === command.file && rule.command.test(command.text.trim())));

const blocks = docFiles().flatMap(extractBlocks);
/** The blocks with something to run, each with only the commands that run here, in their order. */
const runnable = blocks
  .map(block => ({ ...block, commands: block.commands.filter(runsHere) }))
  .filter(block => block.commands.length > 0);

/** What a command printed (for `VAR=$(…)`, the value it assigned) and how it exited. */
interface CommandResult {
  command: DocCommand;
  output: string;
  status: number;
}

/** Runs a block's commands in one bash, as pasted into a terminal at the repository root. */
function runBlock(block: DocBlock): { results: CommandResult[]; stderr: string } {
  const marker = `@@docs-command-${process.pid}-${Date.now()}@@`;
  const script = block.commands
    .map((command, i) => {
      const text = command.text.replace(/(^|[\s=('"])\.data\//g, `$1${DATA_DIR}/`);
      const assigned = /^([A-Za-z_]\w*)=\$\(/.exec(text.trim())?.[1];
      return [
        text,
        `__status=$?`,
        assigned ? `printf '%s' "$${assigned}"` : '',
        `printf '\\n${marker} ${i} %d\\n' "$__status"`,
        `[ "$__status" = 0 ] || exit "$__status"`,
      ].join('\n');
    })
    .join('\n');
  const run = spawnSync('bash', ['-o', 'pipefail', '-c', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      // kubectl caches API discovery per server; keep that out of the user's home.
      KUBECACHEDIR: path.join(os.tmpdir(), `docs-commands-kube-cache-${process.pid}`),
    },
  });
  const results: CommandResult[] = [];
  let rest = run.stdout ?? '';
  for (const [i, command] of block.commands.entries()) {
    const found = new RegExp(`\\n${marker} ${i} (\\d+)\\n`).exec(rest);
    if (!found) {
      results.push({ command, output: rest, status: run.status ?? -1 });
      break;
    }
    results.push({ command, output: rest.slice(0, found.index), status: Number(found[1]) });
    rest = rest.slice(found.index + found[0].length);
  }
  return { results, stderr: `${run.stderr ?? ''}${run.error ? `\n${run.error}` : ''}` };
}

/** What the tests learn along the way: the session the README's POST created. */
const seen: { createdSessionId?: string; podName?: string } = {};

function json(output: string): any {
  try {
    return JSON.parse(output);
  } catch {
    throw new Error(`Expected JSON, got: ${output.slice(0, 2000)}`);
  }
}

/** The checks of the output of commands, by what they call; every command must also exit 0. */
const CHECKS: Array<{ command: RegExp; check: (output: string) => void }> = [
  {
    command: /\/api\/auth\/guest\/refresh/,
    check: output => expect(output, 'a Backstage token').toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  },
  {
    command: /-X POST \S*\/api\/agents\/sessions\b/,
    check: output => {
      const session = json(output);
      expect(session).toMatchObject({
        entityRef: 'component:default/payments-service',
        status: 'pending',
        runs: [expect.objectContaining({ attempt: 1 })],
      });
      seen.createdSessionId = session.id;
    },
  },
  {
    command: /\/api\/agents\/sessions\?/,
    check: output => {
      const page = json(output);
      expect(page.items.length).toBeGreaterThan(0);
      if (seen.createdSessionId) {
        expect(page.items.map((s: { id: string }) => s.id)).toContain(seen.createdSessionId);
      }
    },
  },
  {
    command: /\/api\/agents\/launch-options\?/,
    check: output =>
      expect(json(output)).toMatchObject({ canCreate: true, policy: { name: 'default' } }),
  },
  {
    command: /\/api\/agents\/openapi\.json/,
    check: output => {
      const doc = json(output);
      expect(doc.openapi).toMatch(/^3\./);
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining(['/api/agents/sessions', '/api/agents/runs/{runId}/bundle']),
      );
    },
  },
  {
    command: /kubectl get pods -n agents/,
    check: output => {
      expect(output).toMatch(/^NAME\s+READY\s+STATUS/);
      expect(output).toContain(seen.podName);
    },
  },
];

test.describe('the commands of README.md and docs/', () => {
  test.beforeAll(async ({ playwright }) => {
    // A session whose pod the kubectl commands must list, whatever order the docs show them in.
    const request = await playwright.request.newContext();
    const headers = await guestHeaders(request);
    const created = await request.post(`${BACKEND}/api/agents/sessions`, {
      headers,
      data: { entityRef: 'component:default/payments-service', prompt: 'A pod for the docs commands' },
    });
    expect(created.status()).toBe(201);
    const { id } = await created.json();
    await expect
      .poll(
        async () => {
          const session = await (await request.get(`${BACKEND}/api/agents/sessions/${id}`, { headers })).json();
          // The pod's name is recorded when the run is claimed, before the pod is created: wait until
          // it has run (or is running).
          if (['pending', 'starting'].includes(session.status)) return undefined;
          seen.podName = session.runs[0]?.podName;
          return seen.podName;
        },
        { timeout: 60_000, message: 'the session gets a pod' },
      )
      .toBeTruthy();
    await request.dispose();
  });

  test('are each run here or listed as skipped, with the reason', () => {
    const commands = blocks.flatMap(block => block.commands);
    const unclassified = commands
      .filter(command => !skipRule(command) && !runsHere(command))
      .map(command => `${command.file}:${command.line}: ${command.text}`);
    expect(
      unclassified,
      'commands neither run by this test (they do not talk to the app on localhost:7007 or the cluster ' +
        'simulator, and are not in OFFLINE) nor listed in SKIPPED with a reason',
    ).toEqual([]);

    const unused = [...SKIPPED, ...OFFLINE].filter(
      rule =>
        !commands.some(command => command.file === rule.file && rule.command.test(command.text.trim())),
    );
    expect(
      unused.map(rule => `${rule.file}: ${rule.command}`),
      'SKIPPED or OFFLINE entries that match no command',
    ).toEqual([]);
    expect(runnable.length, 'command blocks that talk to the app').toBeGreaterThan(0);

    for (const block of blocks) {
      for (const command of block.commands) {
        const rule = skipRule(command);
        if (rule) {
          test.info().annotations.push({
            type: 'skipped command',
            description: `${command.file}:${command.line}: ${command.text.split('\n')[0]} (${rule.reason})`,
          });
        }
      }
    }
  });

  for (const block of runnable) {
    const title = `${block.file}:${block.line}${block.inline ? ' (inline)' : ''}: ${block.commands[0].text.split('\n')[0]}`;
    test(title, () => {
      if (block.commands.some(command => command.text.includes('.data/'))) {
        expect(
          fs.existsSync(path.join(DATA_DIR, 'kube/config')),
          `${DATA_DIR}/kube/config exists: set AGENTS_DATA_DIR to the data directory the app was started with`,
        ).toBe(true);
      }
      const { results, stderr } = runBlock(block);
      for (const { command, output, status } of results) {
        const where = `${command.file}:${command.line}: ${command.text}\n--- output ---\n${output.slice(0, 4000)}\n--- stderr ---\n${stderr.slice(0, 4000)}`;
        expect(status, `exit status of ${where}`).toBe(0);
        // curl -s exits 0 on an error response too: a Backstage error body is a failure.
        if (/^\s*\{/.test(output)) {
          expect(json(output).error, `error answered to ${where}`).toBeUndefined();
        }
        for (const { check } of CHECKS.filter(c => c.command.test(command.text))) {
          try {
            check(output);
          } catch (error) {
            throw new Error(`${where}\n\n${(error as Error).message}`);
          }
        }
      }
      expect(results.map(r => r.command.text)).toEqual(block.commands.map(c => c.text));
    });
  }
});
