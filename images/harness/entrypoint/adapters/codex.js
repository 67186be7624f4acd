'use strict';
// The OpenAI Codex CLI as a harness: `codex exec --json`, one JSON event per line.
//
//   first run:  codex exec --json --skip-git-repo-check [--model <m>] [extra args] -                    < prompt
//   resume:     codex exec --json --skip-git-repo-check [--model <m>] [extra args] resume <thread-id> -  < prompt
//
// `-` makes exec (and exec resume) read the prompt from stdin. The exec-level flags come before the
// `resume` subcommand, where clap accepts every one of them (--json and --model are also global).
//
// Model endpoint, approvals and sandbox: $CODEX_HOME/config.toml, written by prepare() (see
// codexConfig.js): AGENTS_MODEL_BASE_URL (`…/v1`) as a Responses provider whose key is
// OPENAI_API_KEY, `approval_policy = "never"` and `sandbox_mode = "danger-full-access"`. Its own
// sandbox (Landlock + seccomp) would be a second, weaker layer inside the pod, may be unavailable
// under gVisor/Kata, and its workspace-write mode blocks the network the egress profile already
// governs. `--skip-git-repo-check`: the work tree is a clone, but with an fsGroup-owned volume git
// may call it "dubious ownership" and codex would refuse to start.
//
// Events:
//   {"type":"thread.started","thread_id":"0199…"}          (the id `codex exec resume` takes)
//   {"type":"turn.started"}
//   {"type":"item.started"|"item.completed","item":{"id":"item_0","type":"command_execution","command":"…","exit_code":0,…}}
//   {"type":"item.completed","item":{"type":"agent_message","text":"…"}}
//   {"type":"item.completed","item":{"type":"file_change","changes":[{"path":"…","kind":"update"}],"status":"completed"}}
//   {"type":"turn.completed","usage":{"input_tokens":…,"cached_input_tokens":…,"output_tokens":…}}
//   {"type":"turn.failed","error":{"message":"…"}}   {"type":"error","message":"…"}
// A provider error's message is the provider's whole error body (`{"error":{"message":"…"}}`).
//
// State: ~/.codex/sessions/YYYY/MM/DD/rollout-<timestamp>-<thread-id>.jsonl; a resume appends to the
// same file. auth.json, config.toml, logs, history and its SQLite databases stay out of the bundle.

const path = require('node:path');
const { checkCliVersion } = require('./cliVersion');
const { modelEndpoint } = require('./modelEndpoint');
const { writeCodexConfig } = require('./codexConfig');
const {
  clip, textLines, firstLine, relativePath, toolLine, thinkingLine, errorLine, commandParts, jsonLineParser,
  tokenUsage, providerMessage,
} = require('./adapterSupport');

const KEY_VARIABLE = 'OPENAI_API_KEY';

const CHANGE_VERBS = { add: 'add', delete: 'delete', update: 'edit' };

function describeItem(item, started, workdir) {
  switch (item.type) {
    case 'command_execution': {
      const cmd = toolLine('bash', firstLine(item.command));
      if (started) return [cmd];
      if (typeof item.exit_code === 'number' && item.exit_code !== 0) return [`${cmd} (exit ${item.exit_code})`];
      if (item.status === 'declined' || item.status === 'failed') return [`${cmd} (${item.status})`];
      return [];
    }
    case 'file_change': {
      if (started) return [];
      const changes = Array.isArray(item.changes) ? item.changes : [];
      const lines = changes.map(c =>
        toolLine(CHANGE_VERBS[c?.kind] ?? 'edit', relativePath(c?.path, workdir)),
      );
      if (item.status === 'failed') lines.push('[tool] patch failed');
      return lines;
    }
    case 'mcp_tool_call':
      if (started) return [toolLine('mcp', `${item.server ?? ''}.${item.tool ?? ''}`)];
      return item.error ? [toolLine('mcp', `${item.tool} failed: ${item.error.message ?? ''}`)] : [];
    case 'web_search':
      return started ? [] : [toolLine('search', item.query)];
    case 'agent_message':
      return started ? [] : textLines('[assistant]', item.text ?? '');
    case 'reasoning':
      return started || !item.text ? [] : [thinkingLine(item.text)];
    case 'todo_list': {
      if (started || !Array.isArray(item.items)) return [];
      const done = item.items.filter(t => t?.completed).length;
      return [`[plan] ${done}/${item.items.length} done`];
    }
    case 'error':
      return started ? [] : [clip(`[warning] ${item.message ?? ''}`)];
    default:
      return [];
  }
}

function describe(event, context) {
  switch (event.type) {
    case 'thread.started':
      return typeof event.thread_id === 'string' && event.thread_id
        ? { sessionId: event.thread_id, log: [clip(`[session] codex ${event.thread_id}`)] }
        : {};
    case 'item.started':
    case 'item.completed': {
      const item = event.item && typeof event.item === 'object' ? event.item : {};
      const result = { log: describeItem(item, event.type === 'item.started', context.workdir) };
      if (event.type === 'item.completed' && item.type === 'agent_message' && typeof item.text === 'string' && item.text.trim()) {
        result.summary = item.text.trim();
      }
      return result;
    }
    case 'turn.completed': {
      const u = event.usage && typeof event.usage === 'object' ? event.usage : {};
      // input_tokens includes the cached ones, output_tokens the reasoning.
      const usage = tokenUsage([u.input_tokens], [u.output_tokens]);
      const log = [`[usage] ${u.input_tokens ?? 0} in (${u.cached_input_tokens ?? 0} cached) / ${u.output_tokens ?? 0} out tokens`];
      return usage ? { usage, log } : { log };
    }
    case 'turn.failed':
      return errorResult(providerMessage(event.error?.message ?? 'turn failed'));
    case 'error':
      return errorResult(providerMessage(event.message ?? event.error?.message ?? 'error'));
    case 'turn.started':
    case 'item.updated':
    case 'item.plan.delta':
      return {};
    default:
      return undefined;
  }
}

function errorResult(message) {
  return { error: message, log: [errorLine(message)] };
}

/**
 * Checks the endpoint and the CLI, and writes Codex's configuration into $HOME/.codex.
 *
 * @param {{ home: string, env: NodeJS.ProcessEnv }} input
 */
async function prepare({ home, env }) {
  const endpoint = modelEndpoint(env, { harness: 'codex', keyVariable: KEY_VARIABLE });
  // Where the state directory (.codex/sessions) is, whatever the pod's environment says.
  const codexHome = path.join(home, '.codex');
  const runEnv = { ...env, CODEX_HOME: codexHome };
  const version = await checkCliVersion({
    file: 'codex',
    displayName: 'Codex',
    supportedMajor: 0,
    why: 'its exec events and config.toml keys are those of 0.x',
    env: runEnv,
    cwd: home,
  });
  writeCodexConfig({ codexHome, baseUrl: endpoint.baseUrl, keyVariable: KEY_VARIABLE });
  return { env: runEnv, description: `Codex ${version} at ${endpoint.shown}`, warnings: [] };
}

module.exports = {
  name: 'codex',
  stateDirectories: ['.codex/sessions'],
  prepare,
  command(input) {
    const { stdin, resumeId, settings } = commandParts(input);
    const args = ['exec', '--json', '--skip-git-repo-check'];
    args.push(...settings, ...(resumeId ? ['resume', resumeId] : []), '-');
    return { file: 'codex', args, stdin };
  },
  parseLine: jsonLineParser({ describe }),
};
