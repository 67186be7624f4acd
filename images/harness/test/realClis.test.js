// The entrypoint (entrypoint/main.js) with the REAL agent CLIs, at the versions versions.env pins,
// against the model simulator (@backstage-agents/fake-llm), each run as a process with a pod's
// environment: the agent edits a file, the entrypoint commits and pushes it, uploads a bundle
// holding the CLI's state and reports the tokens used; a second run, in a fresh HOME and a work
// tree at another path, restores that bundle and continues the same conversation; a provider
// error fails the run with the provider's message.
//
// The CLIs come from scripts/install-agent-clis.sh (run here; a no-op once installed) into
// $AGENT_CLIS_DIR or .tools/agents. Where it cannot install them the tests are skipped, except
// under CI, where that is a failure. The CLIs reach nothing but the simulator: proxy variables
// point every other host at a dead port (packages/fake-llm/src/realClis.test.ts proves the
// configuration the adapters write is offline, in a network namespace of its own).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startFakeLlm, countTokens, deadProxyEnvironment, editFileName } = require('@backstage-agents/fake-llm');
const { useTmpDirs } = require('./tmpDirs');
const { startBundleServer } = require('./bundleServer');
const { bareRepo, runEnv, runEntrypoint, tarMembers, git } = require('./entrypointRun');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const TOOLS_DIR = process.env.AGENT_CLIS_DIR ?? path.join(REPO_ROOT, '.tools', 'agents');
const RUN_TOKEN = 'run-token-for-real-cli-tests';
const DUMMY_KEY = 'sk-fake-llm-dummy-key-0123456789';

/** Installs the pinned CLIs (a no-op when present); says why not when there are none to run. */
function installClis() {
  const install = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-agent-clis.sh'), TOOLS_DIR], {
    encoding: 'utf8',
    timeout: 5 * 60_000,
  });
  if (install.status === 0) return undefined;
  const why = `scripts/install-agent-clis.sh failed (exit ${install.status}): ${String(install.stderr ?? '')
    .trim()
    .split('\n')
    .slice(-3)
    .join(' | ')}`;
  // Other versions than the pinned ones are there: testing them would prove nothing.
  if (fs.existsSync(path.join(TOOLS_DIR, 'installed.env'))) throw new Error(why);
  return `the agent CLIs are not in ${TOOLS_DIR} and ${why}`;
}

const missing = installClis();
// CI reaches the npm registry: there, CLIs that cannot be installed are a failure, not a skip.
if (missing && process.env.CI) throw new Error(missing);
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the real-CLI entrypoint tests: ${missing}`);
}
const describeWithClis = missing ? describe.skip : describe;

// A CLI run takes 0.5 to 5 seconds; an entrypoint run adds a clone, a push and a bundle.
jest.setTimeout(120_000);

/** What differs between the CLIs, as measured (docs/harness-contract.md, "The real CLIs offline"). */
const CLIS = [
  {
    harness: 'opencode',
    keyVariable: 'OPENAI_API_KEY',
    baseUrl: url => `${url}/v1`,
    endpoint: 'POST /v1/chat/completions',
    session: /^ses_[0-9A-Za-z]+$/,
    state: /^\.local\/share\/opencode\/opencode\.db$/,
    notInState: /^\.local\/share\/opencode\/(log|bin)\//,
  },
  {
    harness: 'claude-code',
    keyVariable: 'ANTHROPIC_API_KEY',
    baseUrl: url => url,
    endpoint: 'POST /v1/messages?beta=true',
    session: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    state: /^\.claude\/projects\/[^/]+\/[0-9a-f-]{36}\.jsonl$/,
    notInState: /^\.claude\/(backups|sessions|plugins)\//,
  },
  {
    harness: 'codex',
    keyVariable: 'OPENAI_API_KEY',
    baseUrl: url => `${url}/v1`,
    endpoint: 'POST /v1/responses',
    session: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    state: /^\.codex\/sessions\/\d{4}\/\d{2}\/\d{2}\/rollout-[^/]+\.jsonl$/,
    notInState: /^\.codex\/(config\.toml|[a-z_]+\.sqlite)/,
  },
];

/** The model requests of an agent turn (with tools), leaving out side requests such as titles. */
function agentRequests(requests) {
  return requests.filter(r => Array.isArray(r.body?.tools) && r.body.tools.length > 0);
}

const tmpDir = useTmpDirs();

describeWithClis('the entrypoint with the real agent CLIs against the simulator', () => {
  let llm;
  let bundles;
  beforeAll(async () => {
    llm = await startFakeLlm();
    bundles = await startBundleServer({ runToken: RUN_TOKEN });
  });
  afterAll(async () => {
    await llm?.stop();
    await bundles?.close();
  });

  /**
   * One run as the backend launches it: fresh, empty volumes. `workspace`: the workspace volume's
   * path, emptied first; a pod's is /workspace in every run, so every run's work tree is at the
   * same path (a new one otherwise, as under the cluster simulator).
   */
  function run(cli, { repo, runId, attempt = 1, prompt, input, harnessSessionId, workspace }) {
    if (workspace) {
      fs.rmSync(workspace, { recursive: true, force: true });
      fs.mkdirSync(workspace, { recursive: true });
    }
    const env = runEnv({
      dir: tmpDir(`${cli.harness}-${runId}`),
      workspace,
      runId,
      attempt,
      harness: cli.harness,
      repo,
      prompt,
      runToken: RUN_TOKEN,
      bundles,
      input,
      harnessSessionId,
      extra: {
        PATH: [path.join(TOOLS_DIR, 'bin'), path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        ...deadProxyEnvironment(),
        AGENTS_MODEL_BASE_URL: cli.baseUrl(llm.url),
        AGENTS_HARNESS_MODEL: 'fake-model',
        [cli.keyVariable]: DUMMY_KEY,
        AGENTS_OPENCODE_CONFIG_TEMPLATE: path.join(TOOLS_DIR, 'opencode-config'),
      },
    });
    return runEntrypoint(env);
  }

  /** Shows the run's log when it did not end as expected, so a failure explains itself. */
  const expectStatus = (result, status) =>
    expect({ status: result.result?.status, log: result.result?.status === status ? '' : result.stdout }).toEqual({ status, log: '' });

  describe.each(CLIS)('$harness', cli => {
    it('edits, pushes and bundles its state with the tokens used; a fresh pod resumes the conversation', async () => {
      const repo = bareRepo(tmpDir(`${cli.harness}-repo`));
      const workspace = path.join(tmpDir(`${cli.harness}-volume`), 'workspace');
      const nonce = `nonce-${cli.harness}-${Date.now()}`;
      const start = llm.requests.length;
      const first = await run(cli, { repo, workspace, runId: `${cli.harness}-1`, prompt: `Add a note ${nonce} [llm:edit]` });
      expectStatus(first, 'succeeded');
      expect(first.code).toBe(0);
      expect(first.result).toMatchObject({ pushed: true, filesChanged: 1, bundle: { digest: expect.stringMatching(/^sha256:/) } });
      expect(first.result.harnessSessionId).toMatch(cli.session);
      expect(git(repo, 'show', `agents/ses-1:${editFileName(1)}`)).toBe(`Edited by fake-llm for prompt 1: Add a note ${nonce}`);
      expect(first.stdout).not.toContain(DUMMY_KEY);

      const firstRequests = llm.requests.slice(start);
      expect([...new Set(firstRequests.map(r => `${r.method} ${r.path} ${r.status}`))]).toEqual([`${cli.endpoint} 200`]);
      // The tokens the CLI reported: every input token of its two agent requests (the simulator
      // counts one per four characters of the request body), and some output.
      const sent = agentRequests(firstRequests);
      expect(sent).toHaveLength(2);
      expect(first.result.usage).toEqual({
        inputTokens: sent.reduce((sum, r) => sum + countTokens(JSON.stringify(r.body)), 0),
        outputTokens: expect.any(Number),
      });
      expect(first.result.usage.outputTokens).toBeGreaterThan(0);

      const upload = bundles.uploads.get(`${cli.harness}-1`);
      expect(upload.digest).toBe(first.result.bundle.digest);
      const members = tarMembers(upload.body, tmpDir('tar'));
      expect(members.filter(m => cli.state.test(m))).toHaveLength(1);
      expect(members.filter(m => cli.notInState.test(m))).toEqual([]);

      // A new pod: a fresh HOME holding only the bundle's state, a fresh clone at the same path.
      bundles.serve(`${cli.harness}-2`, upload);
      const resumeStart = llm.requests.length;
      const second = await run(cli, {
        repo,
        workspace,
        runId: `${cli.harness}-2`,
        attempt: 2,
        prompt: 'Add another [llm:edit]',
        input: first.result.bundle,
        harnessSessionId: first.result.harnessSessionId,
      });
      expectStatus(second, 'succeeded');
      expect(second.result).toMatchObject({ pushed: true, harnessSessionId: first.result.harnessSessionId });
      expect(git(repo, 'show', `agents/ses-1:${editFileName(2)}`)).toBe('Edited by fake-llm for prompt 2: Add another');
      expect(git(repo, 'rev-list', '--count', 'main..agents/ses-1')).toBe('2');
      // Turn 1 went back to the model: its prompt, its tool call and the answer after it.
      const resumed = JSON.stringify(agentRequests(llm.requests.slice(resumeStart))[0]?.body);
      expect(resumed).toContain(nonce);
      expect(resumed).toContain('Edited by fake-llm for prompt 1');
      expect(resumed).toContain(`Done: wrote ${editFileName(1)}.`);
      expect(second.result.usage.inputTokens).toBeGreaterThan(first.result.usage.inputTokens);
      expect(second.result.bundle.digest).not.toBe(first.result.bundle.digest);
    });

    if (cli.harness === 'opencode') {
      // OpenCode runs a resumed session in the directory it started in: the adapter moves it first.
      it('resumes in a work tree at another path, editing there (local runs under the cluster simulator)', async () => {
        const repo = bareRepo(tmpDir(`${cli.harness}-repo`));
        const first = await run(cli, { repo, runId: 'opencode-moved-1', prompt: 'Add a note [llm:edit]' });
        expectStatus(first, 'succeeded');
        bundles.serve('opencode-moved-2', bundles.uploads.get('opencode-moved-1'));
        const second = await run(cli, {
          repo,
          runId: 'opencode-moved-2',
          attempt: 2,
          prompt: 'Add another [llm:edit]',
          input: first.result.bundle,
          harnessSessionId: first.result.harnessSessionId,
        });
        expectStatus(second, 'succeeded');
        expect(second.stdout).toMatch(/^==> Moved the restored session to this work tree \(it was at \/.+-opencode-moved-1-\w+\/workspace\/repo\)$/m);
        expect(second.result).toMatchObject({ pushed: true, filesChanged: 1, harnessSessionId: first.result.harnessSessionId });
        expect(git(repo, 'show', `agents/ses-1:${editFileName(2)}`)).toBe('Edited by fake-llm for prompt 2: Add another');
      });
    }

    it('fails the run with the provider error as its summary on [llm:fail]', async () => {
      const repo = bareRepo(tmpDir(`${cli.harness}-repo`));
      const failed = await run(cli, { repo, runId: `${cli.harness}-fail`, prompt: 'Break it [llm:fail]' });
      expectStatus(failed, 'failed');
      expect(failed.code).toBe(1);
      expect(failed.result.summary).toContain('fake-llm: scripted failure (HTTP 400)');
      expect(failed.stdout).toMatch(/^\[error\] .*fake-llm: scripted failure \(HTTP 400\)$/m);
      expect(failed.result).toMatchObject({ pushed: false, filesChanged: 0 });
    });
  });
});
