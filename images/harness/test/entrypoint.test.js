// The entrypoint (entrypoint/main.js) run as a process with a pod's environment, with the stub CLIs
// (test/stubs/bin): what it does before the agent runs (the model endpoint, the CLI's version), the
// `usage` of its result line, moving a restored OpenCode session to a new work tree, and keeping
// the agent's API keys out of its output. realClis.test.js runs the same with the real CLIs.
const fs = require('node:fs');
const path = require('node:path');
const { useTmpDirs } = require('./tmpDirs');
const { startBundleServer } = require('./bundleServer');
const { bareRepo, runEnv, runEntrypoint, git } = require('./entrypointRun');
const { secretValues } = require('../entrypoint/contract');

jest.setTimeout(60_000);

const STUBS = path.resolve(__dirname, 'stubs', 'bin');
const RUN_TOKEN = 'run-token-for-entrypoint-tests';
const KEY = 'sk-stub-key-0123456789abcdef';
const tmpDir = useTmpDirs();

describe('the entrypoint with the stub CLIs', () => {
  let bundles;
  beforeAll(async () => {
    bundles = await startBundleServer({ runToken: RUN_TOKEN });
  });
  afterAll(() => bundles.close());

  const env = (harness, options = {}) => {
    const dir = options.dir ?? tmpDir('run');
    return runEnv({
      dir,
      runId: options.runId ?? `run-${path.basename(dir)}`,
      attempt: options.attempt ?? 1,
      harness,
      repo: options.repo ?? bareRepo(tmpDir('repo')),
      prompt: options.prompt ?? 'Add a refund endpoint',
      runToken: RUN_TOKEN,
      bundles,
      input: options.input,
      harnessSessionId: options.harnessSessionId,
      workspace: options.workspace,
      extra: {
        PATH: [STUBS, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
        AGENTS_MODEL_BASE_URL: 'http://127.0.0.1:9/v1',
        AGENTS_HARNESS_MODEL: 'fake-model',
        OPENAI_API_KEY: KEY,
        ANTHROPIC_API_KEY: KEY,
        AGENTS_OPENCODE_CONFIG_TEMPLATE: path.join(tmpDir('no-template'), 'opencode-config'),
        ...options.extra,
      },
    });
  };

  it.each(['opencode', 'claude-code', 'codex'])(
    '%s: a run without a model endpoint or key fails before cloning, through the result line',
    async harness => {
      const e = env(harness, { extra: { AGENTS_MODEL_BASE_URL: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' } });
      const run = await runEntrypoint(e);
      expect(run.code).toBe(1);
      const key = harness === 'claude-code' ? 'ANTHROPIC_API_KEY' : 'OPENAI_API_KEY';
      expect(run.result).toEqual({
        status: 'failed',
        summary: `The ${harness} harness has no model endpoint: AGENTS_MODEL_BASE_URL is not set (set agents.harnesses.${harness}.baseUrl); ${key} is not set (add it to the Secret named by agents.harnesses.${harness}.credentialsSecret, in the agents namespace)`,
      });
      expect(run.log).toContain(`Error: ${run.result.summary}`);
      expect(run.log).not.toContain('Cloning');
      expect(fs.existsSync(path.join(e.AGENTS_WORKSPACE, 'repo'))).toBe(false);
    },
  );

  it('refuses an OpenCode of another major version before the run', async () => {
    const fake = tmpDir('fake-opencode');
    fs.writeFileSync(path.join(fake, 'opencode'), '#!/bin/sh\necho 2.0.0\n', { mode: 0o755 });
    const e = env('opencode');
    e.PATH = `${fake}${path.delimiter}${e.PATH}`;
    const run = await runEntrypoint(e);
    expect(run.code).toBe(1);
    expect(run.result.status).toBe('failed');
    expect(run.result.summary).toMatch(/^OpenCode 2\.0\.0 is not supported: this harness runs OpenCode 1\.x \(2\.x changed its server and plugin API\)/);
    expect(run.log).not.toContain('Cloning');
  });

  it('reports the tokens the CLI reported as `usage`, and a CLI error as the summary', async () => {
    const ok = await runEntrypoint(env('codex', { prompt: 'Add a refund endpoint' }));
    expect(ok.result).toMatchObject({ status: 'succeeded', pushed: true, filesChanged: 1 });
    // The codex stub reports the prompt's and the reply's lengths as its tokens.
    expect(ok.result.usage).toEqual({ inputTokens: 'Add a refund endpoint'.length, outputTokens: expect.any(Number) });
    expect(ok.result.usage.outputTokens).toBeGreaterThan(0);
    expect(ok.log).toContain('==> Prepared Codex 0.169.0 at http://127.0.0.1:9/v1');

    const failed = await runEntrypoint(env('opencode', { prompt: 'Break it [stub:fail]' }));
    expect(failed.code).toBe(1);
    expect(failed.result).toMatchObject({ status: 'failed', summary: 'stub failure requested by [stub:fail]' });
    expect(failed.log).toContain('[error] stub failure requested by [stub:fail]');
    expect(failed.result.usage).toBeUndefined();
    // Without the template, OpenCode would fetch its plugin package: the log says so.
    expect(failed.log).toContain("Warning: OpenCode's pre-provisioned configuration is missing");
  });

  it('fails with what the CLI said last on stderr when it printed no error event', async () => {
    const unknown = '00000000-0000-7000-8000-000000000000';
    const run = await runEntrypoint(env('codex', { harnessSessionId: unknown }));
    expect(run.code).toBe(1);
    expect(run.result.status).toBe('failed');
    expect(run.result.summary).toMatch(/^codex exited with 1: .*no rollout found for thread id/);
  });

  it('moves a restored OpenCode session to a work tree at another path before resuming it', async () => {
    const repo = bareRepo(tmpDir('repo'));
    const firstEnv = env('opencode', { repo, runId: 'oc-1' });
    const first = await runEntrypoint(firstEnv);
    expect(first.result).toMatchObject({ status: 'succeeded', pushed: true });
    const sessionId = first.result.harnessSessionId;
    bundles.serve('oc-2', bundles.uploads.get('oc-1'));

    const dir = tmpDir('run');
    const second = await runEntrypoint(
      env('opencode', { repo, dir, runId: 'oc-2', attempt: 2, prompt: 'Now add tests', input: first.result.bundle, harnessSessionId: sessionId }),
    );
    expect(second.result).toMatchObject({ status: 'succeeded', pushed: true, harnessSessionId: sessionId });
    const before = path.join(fs.realpathSync(firstEnv.AGENTS_WORKSPACE), 'repo');
    expect(second.log).toContain(`==> Moved the restored session to this work tree (it was at ${before})`);
    // Reading the database (node:sqlite) prints no experimental-feature warning.
    expect(second.stderr).toBe('');
    expect(second.log).toContain(`resumed ${sessionId}: 1 earlier turn(s); last prompt: Add a refund endpoint`);
    expect(git(repo, 'rev-list', '--count', 'main..agents/ses-1')).toBe('2');
  });

  it('prints the API keys of its environment redacted, wherever they come from', async () => {
    const e = env('echo-key', { extra: { AGENTS_HARNESS_ADAPTER: path.join(__dirname, 'fixtures', 'echoKeyAdapter.js') } });
    const run = await runEntrypoint(e);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(KEY);
    expect(run.stdout).toContain('401: invalid key [redacted]');
    expect(run.result.summary).toBe('{"key":"[redacted]"}');
  });
});

describe('redaction', () => {
  it('treats the agent API keys of the environment as secrets', () => {
    expect(secretValues({ OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: 'sk-ant-0123456789', GATEWAY_AUTH_TOKEN: 'tok-0123456789', SHORT_API_KEY: 'abc', HOME: '/home/agent' })).toEqual([
      KEY,
      'sk-ant-0123456789',
      'tok-0123456789',
    ]);
  });
});
