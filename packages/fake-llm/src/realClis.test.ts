import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedRequest } from './recorder';
import { editFileName } from './scripts';
import { FakeLlm, startFakeLlm } from './server';
import {
  AGENT_CLIS,
  AgentCli,
  homeFromBundle,
} from './__testUtils__/agentClis';
import { runOffline } from './__testUtils__/runCommand';
import { installAgentClis } from './agentClisInstall';

/**
 * The three real agent CLIs, at the versions the harness image pins, against the simulator and
 * nothing else (see offline/offlineCommand.ts): each edits a file, is resumed from a HOME holding
 * only what a session bundle carries, fails on a provider error, and cannot reach the internet
 * with its shell tool.
 *
 * The CLIs come from scripts/install-agent-clis.sh (run here; a no-op once installed) into
 * $AGENT_CLIS_DIR or .tools/agents.
 */

const { toolsDir: TOOLS_DIR, missing } = installAgentClis();
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the real-CLI tests: ${missing}`);
}
const describeWithClis = missing ? describe.skip : describe;

// A CLI run takes 0.5 to 5 seconds; a resume test makes two.
jest.setTimeout(120_000);

/** The requests a run sent, by their position in the simulator's record. */
function requestsSince(llm: FakeLlm, start: number): RecordedRequest[] {
  return llm.requests.slice(start);
}

/** The main agent requests (with tools), leaving out side requests such as title generation. */
function agentRequests(requests: RecordedRequest[]): RecordedRequest[] {
  return requests.filter(r => {
    const tools = (r.body as { tools?: unknown[] } | undefined)?.tools;
    return Array.isArray(tools) && tools.length > 0;
  });
}

describeWithClis('the real agent CLIs against the simulator', () => {
  let llm: FakeLlm;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fake-llm-clis-'));
    llm = await startFakeLlm({ socketPath: join(root, 'llm.sock') });
  });
  afterAll(async () => {
    await llm?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  function setUp(cli: AgentCli, label: string) {
    const base = join(root, `${cli.name}-${label}`);
    const repo = join(base, 'repo');
    const home = join(base, 'home');
    mkdirSync(repo, { recursive: true });
    mkdirSync(home, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args],
        {
          cwd: repo,
        },
      );
    git('init', '-q', '-b', 'main');
    execFileSync('sh', ['-c', 'echo "# demo" > README.md'], { cwd: repo });
    git('add', '.');
    git('commit', '-qm', 'init');
    cli.configure(home, llm.url, TOOLS_DIR);
    return { base, repo, home };
  }

  function run(
    cli: AgentCli,
    home: string,
    repo: string,
    args: string[],
    prompt: string,
  ) {
    return runOffline(join(TOOLS_DIR, 'bin', cli.command), args, {
      cwd: repo,
      stdin: prompt,
      // Only what the run needs: no key, proxy or setting of the developer's leaks in.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        LANG: 'C.UTF-8',
        ...cli.env(home, llm.url),
      },
      simulator: llm,
      timeoutMs: 90_000,
    });
  }

  describe.each(AGENT_CLIS)('$name', cli => {
    it('edits a file, then resumes from the bundle with the earlier turns sent back', async () => {
      const { base, repo, home } = setUp(cli, 'resume');
      const nonce = `nonce-${cli.name}-${Date.now()}`;
      const start = llm.requests.length;
      const first = await run(
        cli,
        home,
        repo,
        cli.runArgs(),
        `Add a note ${nonce} [llm:edit]`,
      );
      expect({
        code: first.code,
        stderr: first.code ? first.stderr : '',
      }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(readFileSync(join(repo, editFileName(1)), 'utf8')).toBe(
        `Edited by fake-llm for prompt 1: Add a note ${nonce}\n`,
      );
      const sessionId = cli.sessionId(first.stdout) ?? '';
      expect(sessionId).not.toBe('');
      const firstRequests = requestsSince(llm, start);
      expect(
        firstRequests.every(
          r => r.protocol === cli.protocol && r.status === 200,
        ),
      ).toBe(true);
      expect(agentRequests(firstRequests)).toHaveLength(2);

      // Resume in a HOME that holds nothing but the bundle's state directories.
      const resumedHome = join(base, 'home-from-bundle');
      homeFromBundle(cli, home, resumedHome);
      cli.configure(resumedHome, llm.url, TOOLS_DIR);
      const resumeStart = llm.requests.length;
      const second = await run(
        cli,
        resumedHome,
        repo,
        cli.resumeArgs(sessionId),
        'Add another [llm:edit]',
      );
      expect({
        code: second.code,
        stderr: second.code ? second.stderr : '',
      }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(cli.sessionId(second.stdout)).toBe(sessionId);
      expect(readFileSync(join(repo, editFileName(2)), 'utf8')).toContain(
        'Edited by fake-llm for prompt 2: Add another',
      );
      // Nothing but the model endpoint: no model lists, token counts or probes.
      const endpoints = requestsSince(llm, start).map(
        r => `${r.method} ${r.path}`,
      );
      expect([...new Set(endpoints)]).toEqual(cli.endpoints);
      const resumed = agentRequests(requestsSince(llm, resumeStart))[0];
      const sent = JSON.stringify(resumed.body);
      // Turn 1 went back to the model: its prompt, its tool call and the answer after it.
      expect(sent).toContain(nonce);
      expect(sent).toContain('Edited by fake-llm for prompt 1');
      expect(sent).toContain(`Done: wrote ${editFileName(1)}.`);
    });

    it('exits non-zero with the provider error in its output on [llm:fail]', async () => {
      const { repo, home } = setUp(cli, 'fail');
      const result = await run(
        cli,
        home,
        repo,
        cli.runArgs(),
        'Break [llm:fail]',
      );
      expect(result.code).not.toBe(0);
      expect(`${result.stdout}\n${result.stderr}`).toContain(
        'fake-llm: scripted failure (HTTP 400)',
      );
    });

    it('cannot reach a host outside the machine with its shell tool', async () => {
      const { repo, home } = setUp(cli, 'blocked');
      const start = llm.requests.length;
      const result = await run(
        cli,
        home,
        repo,
        cli.runArgs(),
        'Fetch it [llm:blocked-tool]',
      );
      expect(result.code).toBe(0);
      const followUp = agentRequests(requestsSince(llm, start))[1];
      // curl's own error (could not resolve, or could not connect through the dead proxy).
      expect(JSON.stringify(followUp.body)).toMatch(/curl: \((5|6|7)\)/);
    });
  });
});
