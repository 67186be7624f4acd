import {
  cpSync,
  existsSync,
  mkdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * How each real CLI is pointed at the simulator, run headless, resumed, and what of its state a
 * session bundle must carry (the same lists as the harness adapters'). Everything here is written
 * into a throwaway HOME; nothing is read from the developer's own.
 */
export interface AgentCli {
  name: 'opencode' | 'claude-code' | 'codex';
  /** The command in the tools directory's bin/. */
  command: string;
  /** The simulator protocol the CLI speaks. */
  protocol: string;
  /** Every `METHOD path` it sends the simulator (measured; with the offline settings below). */
  endpoints: string[];
  /** Directories under HOME that hold its sessions (what a bundle carries). */
  stateDirectories: string[];
  /** Paths under those directories a bundle leaves out. */
  stateExcludes: string[];
  /** Writes the CLI's configuration into a fresh HOME. */
  configure(home: string, simulatorUrl: string, toolsDir: string): void;
  env(home: string, simulatorUrl: string): Record<string, string>;
  /** Arguments of a headless run; the prompt goes on stdin, as the harness adapters pass it. */
  runArgs(): string[];
  resumeArgs(sessionId: string): string[];
  /** The CLI's own session id, from its JSON output. */
  sessionId(stdout: string): string | undefined;
}

export const FAKE_MODEL = 'fake-model';
const DUMMY_KEY = 'fake-llm-dummy-key';

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout.split('\n').flatMap(line => {
    try {
      const value = JSON.parse(line);
      return value && typeof value === 'object' ? [value] : [];
    } catch {
      return [];
    }
  });
}

function firstString(
  events: Record<string, unknown>[],
  key: string,
): string | undefined {
  const found = events.find(event => typeof event[key] === 'string');
  return found ? String(found[key]) : undefined;
}

export const opencode: AgentCli = {
  name: 'opencode',
  command: 'opencode',
  protocol: 'chat-completions',
  endpoints: ['POST /v1/chat/completions'],
  stateDirectories: ['.local/share/opencode'],
  stateExcludes: ['.local/share/opencode/log', '.local/share/opencode/bin'],
  configure(home, url, toolsDir) {
    const configDir = join(home, '.config', 'opencode');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'opencode.json'),
      JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          provider: {
            'fake-llm': {
              npm: '@ai-sdk/openai-compatible',
              name: 'fake-llm',
              options: { baseURL: `${url}/v1`, apiKey: DUMMY_KEY },
              models: { [FAKE_MODEL]: { name: FAKE_MODEL, tool_call: true } },
            },
          },
          model: `fake-llm/${FAKE_MODEL}`,
          small_model: `fake-llm/${FAKE_MODEL}`,
          permission: { edit: 'allow', bash: 'allow', webfetch: 'deny' },
          autoupdate: false,
          share: 'disabled',
        },
        null,
        2,
      ),
    );
    // What OpenCode would otherwise install from the registry at every start (see
    // scripts/install-agent-clis.sh): its lock file and the packages.
    const provisioned = join(toolsDir, 'opencode-config');
    for (const file of ['package.json', 'package-lock.json']) {
      cpSync(join(provisioned, file), join(configDir, file));
    }
    symlinkSync(
      join(provisioned, 'node_modules'),
      join(configDir, 'node_modules'),
    );
  },
  env: () => ({
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  }),
  // A message argument would reach the model quoted when it has spaces: stdin does not.
  runArgs: () => ['run', '--format', 'json'],
  resumeArgs: id => ['run', '--format', 'json', '--session', id],
  sessionId: stdout => firstString(jsonLines(stdout), 'sessionID'),
};

export const claudeCode: AgentCli = {
  name: 'claude-code',
  command: 'claude',
  protocol: 'anthropic-messages',
  endpoints: ['POST /v1/messages?beta=true'],
  stateDirectories: ['.claude/projects', '.claude/todos'],
  stateExcludes: [],
  configure() {},
  env: (_home, url) => ({
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: DUMMY_KEY,
    // Telemetry, error reporting, auto-update and the connectivity probe, all at once.
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    // --dangerously-skip-permissions refuses to run as root outside a sandbox it knows of.
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
  }),
  runArgs: () => [
    '-p',
    '--output-format',
    'json',
    '--dangerously-skip-permissions',
  ],
  resumeArgs: id => [
    '--resume',
    id,
    '-p',
    '--output-format',
    'json',
    '--dangerously-skip-permissions',
  ],
  sessionId: stdout => firstString(jsonLines(stdout), 'session_id'),
};

export const codex: AgentCli = {
  name: 'codex',
  command: 'codex',
  protocol: 'responses',
  endpoints: ['POST /v1/responses'],
  stateDirectories: ['.codex/sessions'],
  stateExcludes: [],
  configure(home, url) {
    const codexHome = join(home, '.codex');
    mkdirSync(codexHome, { recursive: true });
    writeFileSync(
      join(codexHome, 'config.toml'),
      [
        `model = "${FAKE_MODEL}"`,
        'model_provider = "fake-llm"',
        'approval_policy = "never"',
        'sandbox_mode = "danger-full-access"',
        'check_for_update_on_startup = false',
        '',
        '[model_providers.fake-llm]',
        'name = "fake-llm"',
        `base_url = "${url}/v1"`,
        'wire_api = "responses"',
        'env_key = "FAKE_LLM_API_KEY"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[otel]',
        'exporter = "none"',
        '',
        // Plugin sync would reach github.com and chatgpt.com at every start.
        '[features]',
        'plugins = false',
        'remote_plugin = false',
        'apps = false',
        '',
      ].join('\n'),
    );
  },
  env: home => ({
    CODEX_HOME: join(home, '.codex'),
    FAKE_LLM_API_KEY: DUMMY_KEY,
  }),
  // `-`: the prompt is on stdin.
  runArgs: () => ['exec', '--json', '--skip-git-repo-check', '-'],
  resumeArgs: id => [
    'exec',
    '--json',
    '--skip-git-repo-check',
    'resume',
    id,
    '-',
  ],
  sessionId: stdout => firstString(jsonLines(stdout), 'thread_id'),
};

export const AGENT_CLIS: AgentCli[] = [opencode, claudeCode, codex];

/**
 * A fresh HOME holding only what a session bundle carries: the state directories of `from`, minus
 * the excluded paths. Resuming from it proves the bundle is enough.
 */
export function homeFromBundle(cli: AgentCli, from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const dir of cli.stateDirectories) {
    if (existsSync(join(from, dir))) {
      cpSync(join(from, dir), join(to, dir), { recursive: true });
    }
  }
  for (const excluded of cli.stateExcludes) {
    rmSync(join(to, excluded), { recursive: true, force: true });
  }
}
