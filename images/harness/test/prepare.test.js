// What each CLI adapter's prepare() does before a run: refuses a run without a model endpoint, a
// key or a supported CLI version (saying what to set), and writes the CLI's configuration into
// HOME, naming the key's variable but never holding the key. The stub CLIs answer --version.
const fs = require('node:fs');
const path = require('node:path');
const { useTmpDirs } = require('./tmpDirs');

const opencode = require('../entrypoint/adapters/opencode');
const claude = require('../entrypoint/adapters/claude-code');
const codex = require('../entrypoint/adapters/codex');

const STUBS = path.resolve(__dirname, 'stubs', 'bin');
const NODE_DIR = path.dirname(process.execPath);
const KEY = 'sk-test-never-in-a-file-0123456789';
const BASE = 'http://127.0.0.1:9/v1';

const tmpDir = useTmpDirs();

/** The environment a pod gives a harness, with the stubs as the CLIs. */
function podEnv(extra = {}) {
  return {
    PATH: [STUBS, NODE_DIR, '/usr/bin', '/bin'].join(path.delimiter),
    AGENTS_MODEL_BASE_URL: BASE,
    AGENTS_HARNESS_MODEL: 'fake-model',
    ...extra,
  };
}

/** A directory laid out like scripts/install-agent-clis.sh's opencode-config/. */
function configTemplate() {
  const dir = tmpDir('opencode-config');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"private":true,"dependencies":{"@opencode-ai/plugin":"1.18.33"}}');
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{"lockfileVersion":3,"packages":{"node_modules/@opencode-ai/plugin":{"version":"1.18.33"}}}');
  fs.mkdirSync(path.join(dir, 'node_modules', '@opencode-ai', 'plugin'), { recursive: true });
  return dir;
}

/** A directory with one fake CLI that reports `version`. */
function cliReporting(file, version) {
  const dir = tmpDir('fake-cli');
  fs.writeFileSync(path.join(dir, file), `#!/bin/sh\necho "${version}"\n`, { mode: 0o755 });
  return dir;
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter(e => e.isFile()).map(e => path.join(e.parentPath ?? e.path, e.name));
}

describe.each([
  ['opencode', opencode, 'OPENAI_API_KEY'],
  ['claude-code', claude, 'ANTHROPIC_API_KEY'],
  ['codex', codex, 'OPENAI_API_KEY'],
])('%s prepare()', (name, adapter, keyVariable) => {
  it('fails without a model endpoint or key, saying which setting to make', async () => {
    const home = tmpDir('home');
    await expect(adapter.prepare({ home, env: podEnv({ AGENTS_MODEL_BASE_URL: '' }) })).rejects.toThrow(
      `The ${name} harness has no model endpoint: AGENTS_MODEL_BASE_URL is not set (set agents.harnesses.${name}.baseUrl); ${keyVariable} is not set (add it to the Secret named by agents.harnesses.${name}.credentialsSecret, in the agents namespace)`,
    );
    await expect(adapter.prepare({ home, env: podEnv({ [keyVariable]: KEY, AGENTS_MODEL_BASE_URL: 'ftp://x' }) })).rejects.toThrow(
      `AGENTS_MODEL_BASE_URL is not an http(s) URL (check agents.harnesses.${name}.baseUrl)`,
    );
    await expect(adapter.prepare({ home, env: podEnv({ [keyVariable]: '  ' }) })).rejects.toThrow(`${keyVariable} is not set`);
    // Nothing written: the run fails before anything else.
    expect(fs.readdirSync(home)).toEqual([]);
  });

  it('never writes the key into HOME', async () => {
    const home = tmpDir('home');
    const env = podEnv({ [keyVariable]: KEY, AGENTS_OPENCODE_CONFIG_TEMPLATE: configTemplate() });
    const prepared = await adapter.prepare({ home, env });
    expect(prepared.env[keyVariable]).toBe(KEY);
    const files = filesUnder(home);
    // Claude Code's configuration is its environment; the others write files.
    if (name !== 'claude-code') expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(fs.readFileSync(file, 'utf8')).not.toContain(KEY);
    expect(JSON.stringify(prepared.description)).not.toContain(KEY);
  });

  it('refuses a CLI of another major version, and a missing CLI', async () => {
    const file = { opencode: 'opencode', 'claude-code': 'claude', codex: 'codex' }[name];
    const other = { opencode: '2.0.1', 'claude-code': '3.0.0 (Claude Code)', codex: 'codex-cli 1.2.3' }[name];
    const display = { opencode: 'OpenCode', 'claude-code': 'Claude Code', codex: 'Codex' }[name];
    const home = tmpDir('home');
    const env = podEnv({ [keyVariable]: KEY, PATH: [cliReporting(file, other), '/usr/bin', '/bin'].join(path.delimiter) });
    await expect(adapter.prepare({ home, env })).rejects.toThrow(
      new RegExp(`^${display} ${other.match(/\d+\.\d+\.\d+/)[0].replace(/\./g, '\\.')} is not supported: this harness runs ${display} \\d\\.x \\(`),
    );
    await expect(adapter.prepare({ home, env: { ...env, PATH: tmpDir('empty') } })).rejects.toThrow(
      `Could not read the ${display} version (is the ${display} CLI in the image?): ${file} is not on PATH`,
    );
  });
});

describe('opencode prepare()', () => {
  it('configures the endpoint as an OpenAI-compatible provider and provisions the configuration directory', async () => {
    const home = tmpDir('home');
    const template = configTemplate();
    const prepared = await opencode.prepare({
      home,
      env: podEnv({ OPENAI_API_KEY: KEY, AGENTS_MODEL_BASE_URL: `${BASE}/`, AGENTS_OPENCODE_CONFIG_TEMPLATE: template }),
    });
    const dir = path.join(home, '.config', 'opencode');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'opencode.json'), 'utf8'))).toEqual({
      $schema: 'https://opencode.ai/config.json',
      provider: {
        agents: {
          npm: '@ai-sdk/openai-compatible',
          name: 'Agents for Backstage model endpoint',
          options: { baseURL: BASE, apiKey: '{env:OPENAI_API_KEY}' },
          models: { 'fake-model': { name: 'fake-model', tool_call: true } },
        },
      },
      model: 'agents/fake-model',
      small_model: 'agents/fake-model',
      permission: { edit: 'allow', bash: 'allow', webfetch: 'deny' },
      autoupdate: false,
      share: 'disabled',
    });
    for (const file of ['package.json', 'package-lock.json']) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(fs.readFileSync(path.join(template, file), 'utf8'));
    }
    expect(fs.readlinkSync(path.join(dir, 'node_modules'))).toBe(path.join(template, 'node_modules'));
    expect(prepared.env).toMatchObject({
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    });
    expect(prepared.description).toBe(`OpenCode 1.18.33, model agents/fake-model at ${BASE}`);
    expect(prepared.warnings).toEqual([]);
  });

  it('needs a model, and warns when the configuration template is missing', async () => {
    await expect(
      opencode.prepare({ home: tmpDir('home'), env: podEnv({ OPENAI_API_KEY: KEY, AGENTS_HARNESS_MODEL: '' }) }),
    ).rejects.toThrow('AGENTS_HARNESS_MODEL is not set (set agents.harnesses.opencode.model)');
    const missing = path.join(tmpDir('nothing'), 'opencode-config');
    const prepared = await opencode.prepare({
      home: tmpDir('home'),
      env: podEnv({ OPENAI_API_KEY: KEY, AGENTS_OPENCODE_CONFIG_TEMPLATE: missing }),
    });
    expect(prepared.warnings).toEqual([expect.stringContaining(`OpenCode's pre-provisioned configuration is missing (${missing}/package.json`)]);
  });

  it('shows the endpoint without its user and password', async () => {
    const prepared = await opencode.prepare({
      home: tmpDir('home'),
      env: podEnv({ OPENAI_API_KEY: KEY, AGENTS_MODEL_BASE_URL: 'https://user:pa55word@gateway.example/v1' }),
    });
    expect(prepared.description).toBe('OpenCode 1.18.33, model agents/fake-model at https://gateway.example/v1');
  });
});

describe('claude-code prepare()', () => {
  it('points Claude Code at the endpoint through its environment only', async () => {
    const home = tmpDir('home');
    const prepared = await claude.prepare({ home, env: podEnv({ ANTHROPIC_API_KEY: KEY, AGENTS_MODEL_BASE_URL: 'http://127.0.0.1:9/' }) });
    expect(prepared.env).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    });
    // --dangerously-skip-permissions refuses root without it; the image runs as uid 1000.
    expect(prepared.env.IS_SANDBOX).toBe(process.getuid() === 0 ? '1' : undefined);
    expect(prepared.description).toBe('Claude Code 2.1.330 at http://127.0.0.1:9');
  });
});

describe('codex prepare()', () => {
  it('writes config.toml with the endpoint as a Responses provider, no approvals, no start-up traffic', async () => {
    const home = tmpDir('home');
    const prepared = await codex.prepare({ home, env: podEnv({ OPENAI_API_KEY: KEY, CODEX_HOME: '/elsewhere' }) });
    expect(prepared.env.CODEX_HOME).toBe(path.join(home, '.codex'));
    expect(fs.readFileSync(path.join(home, '.codex', 'config.toml'), 'utf8')).toBe(
      [
        'model_provider = "agents"',
        'approval_policy = "never"',
        'sandbox_mode = "danger-full-access"',
        'check_for_update_on_startup = false',
        '',
        '[model_providers.agents]',
        'name = "Agents for Backstage model endpoint"',
        `base_url = "${BASE}"`,
        'wire_api = "responses"',
        'env_key = "OPENAI_API_KEY"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[otel]',
        'exporter = "none"',
        '',
        '[features]',
        'plugins = false',
        'remote_plugin = false',
        'apps = false',
        '',
      ].join('\n'),
    );
    expect(prepared.description).toBe(`Codex 0.169.0 at ${BASE}`);
  });

  it('quotes the base URL as a TOML string', async () => {
    const home = tmpDir('home');
    await codex.prepare({ home, env: podEnv({ OPENAI_API_KEY: KEY, AGENTS_MODEL_BASE_URL: 'http://127.0.0.1:9/v1?a="b"\\' }) });
    const line = fs.readFileSync(path.join(home, '.codex', 'config.toml'), 'utf8').split('\n').find(l => l.startsWith('base_url'));
    expect(line).toBe('base_url = "http://127.0.0.1:9/v1?a=\\"b\\"\\\\"');
  });
});
