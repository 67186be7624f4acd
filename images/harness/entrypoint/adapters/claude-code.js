'use strict';
// Claude Code as a harness: `claude -p --output-format stream-json --verbose`, one JSON message per line.
//
//   first run:  claude -p --output-format stream-json --verbose --dangerously-skip-permissions
//               [--model <m>] [extra args]                                          < prompt
//   resume:     … the same, plus --resume <session-id>                              < prompt
//
// The prompt goes on stdin: with -p and no prompt argument, Claude Code reads the prompt from stdin.
// stream-json (which needs --verbose) rather than json: the same final `result` message, and every
// assistant message and tool call as it happens, for the run's log.
//
// Model endpoint: environment only (prepare()): ANTHROPIC_BASE_URL = AGENTS_MODEL_BASE_URL (no
// `/v1`: it appends /v1/messages), the key in ANTHROPIC_API_KEY (from the credentials Secret),
// CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 (else every run probes the base URL and calls
// api.anthropic.com for telemetry and error reports), DISABLE_AUTOUPDATER=1.
//
// Permissions: `--dangerously-skip-permissions` (bypassPermissions mode). In -p mode nobody can
// answer a permission prompt, and every edit or command that would ask is refused, so the run would
// do nothing useful. The pod is the sandbox: non-root, read-only root filesystem, no
// service-account token, all capabilities dropped, default-deny egress. Claude Code refuses the
// flag as root unless IS_SANDBOX=1; the image runs as uid 1000, local runs as root get IS_SANDBOX.
//
// Messages (all carry `session_id`):
//   {"type":"system","subtype":"init","session_id":"…","model":"…","cwd":"…",…}
//   {"type":"assistant","message":{"content":[{"type":"text","text":"…"},{"type":"tool_use","name":"Edit","input":{…}}]},…}
//   {"type":"user","message":{"content":[{"type":"tool_result","is_error":false,…}]},…}
//   {"type":"result","subtype":"success","is_error":false,"result":"…","num_turns":3,"usage":{"input_tokens":…,"output_tokens":…,…},…}
//   a provider error: {"type":"result","is_error":true,"result":"API Error: 400 …",…}, exit 1
//
// State: sessions are ~/.claude/projects/<cwd with every non-alphanumeric character as ->/<id>.jsonl
// (plus a <id>/ directory for sub-agents and large tool results); the task lists are ~/.claude/todos.
// Credentials (~/.claude/.credentials.json), settings, caches, shell snapshots and debug logs stay out.
// `--resume <id>` only finds a session under the project directory of the *current* working
// directory: prepareResume() moves a restored session there when the work tree's path changed.

const fs = require('node:fs');
const path = require('node:path');

const {
  clip, textLines, firstLine, checkSessionId, toolLine, thinkingLine, errorLine,
  commandParts, jsonLineParser, toolSubject, SUBJECT_FROM: from, tokenUsage,
} = require('./adapterSupport');
const { checkCliVersion } = require('./cliVersion');
const { modelEndpoint } = require('./modelEndpoint');

const KEY_VARIABLE = 'ANTHROPIC_API_KEY';

/** The directory name Claude Code gives a working directory under ~/.claude/projects. */
function projectDirName(cwd) {
  return String(cwd).replace(/[^a-zA-Z0-9]/g, '-');
}

/**
 * Before a resume: if the restored session file sits under another project directory (the work tree
 * was checked out at a different path than in the earlier run), move it, with its companion
 * directory, under the current one so that `--resume` finds it. Returns where the session file is.
 */
function prepareResume({ home, workdir, harnessSessionId }) {
  const id = checkSessionId(harnessSessionId);
  const projects = path.join(home, '.claude', 'projects');
  const target = path.join(projects, projectDirName(workdir));
  const wanted = path.join(target, `${id}.jsonl`);
  if (fs.existsSync(wanted)) return { sessionFile: wanted, moved: false };
  let entries = [];
  try {
    entries = fs.readdirSync(projects, { withFileTypes: true });
  } catch {
    return { sessionFile: undefined, moved: false };
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const from = path.join(projects, entry.name, `${id}.jsonl`);
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(target, { recursive: true });
    fs.renameSync(from, wanted);
    const companion = path.join(projects, entry.name, id);
    if (fs.existsSync(companion)) fs.renameSync(companion, path.join(target, id));
    return { sessionFile: wanted, moved: true };
  }
  return { sessionFile: undefined, moved: false };
}

/** Claude Code's tools, by what in their input says what a call is about. */
const TOOL_SUBJECTS = {
  Bash: from.command, Grep: from.pattern, Glob: from.pattern, WebFetch: from.url, WebSearch: from.query,
  Task: from.description, Agent: from.description, TodoWrite: from.todos,
};

function describeTool(block, workdir) {
  const name = String(block.name ?? 'tool');
  const input = block.input && typeof block.input === 'object' ? block.input : {};
  const subject = toolSubject(name, input, {
    subjects: TOOL_SUBJECTS,
    fileFields: ['file_path', 'notebook_path', 'path'],
    workdir,
  });
  return toolLine(name.toLowerCase(), subject);
}

function toolResultText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map(c => (typeof c?.text === 'string' ? c.text : '')).join('\n');
  }
  return '';
}

function resultLine(event) {
  const bits = [event.subtype ?? 'done'];
  if (typeof event.num_turns === 'number') bits.push(`${event.num_turns} turn(s)`);
  if (typeof event.duration_ms === 'number') bits.push(`${(event.duration_ms / 1000).toFixed(1)} s`);
  if (typeof event.total_cost_usd === 'number') bits.push(`$${event.total_cost_usd.toFixed(4)}`);
  return `[result] ${bits.join(' · ')}`;
}

/** Every message carries the session id; older versions spelled it sessionId. */
function sessionIdOf(event) {
  return event.session_id ?? event.sessionId;
}

function describe(event, context) {
  switch (event.type) {
    case 'system':
      if (event.subtype === 'init') {
        return { log: [clip(`[session] claude-code ${sessionIdOf(event) ?? ''}${event.model ? ` (${event.model})` : ''}`)] };
      }
      return event.subtype ? { log: [clip(`[system] ${event.subtype}`)] } : {};
    case 'assistant': {
      const result = { log: [] };
      const content = Array.isArray(event.message?.content) ? event.message.content : [];
      const texts = [];
      for (const block of content) {
        if (block?.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
          result.log.push(...textLines('[assistant]', block.text.trim()));
          texts.push(block.text.trim());
        } else if (block?.type === 'tool_use') {
          result.log.push(describeTool(block, context.workdir));
        } else if (block?.type === 'thinking' && block.thinking) {
          result.log.push(thinkingLine(block.thinking));
        }
      }
      if (texts.length) result.summary = texts.join('\n');
      if (event.error) {
        result.error = String(event.error);
        result.log.push(errorLine(event.error));
      }
      return result;
    }
    case 'user': {
      const content = Array.isArray(event.message?.content) ? event.message.content : [];
      const failed = content.filter(block => block?.type === 'tool_result' && block.is_error);
      return { log: failed.map(block => clip(`[tool] error: ${firstLine(toolResultText(block.content))}`)) };
    }
    case 'result': {
      const result = { log: [resultLine(event)] };
      // The run's total over all its requests; input_tokens leaves out the cached part.
      const u = event.usage && typeof event.usage === 'object' ? event.usage : {};
      const usage = tokenUsage(
        [u.input_tokens, u.cache_creation_input_tokens, u.cache_read_input_tokens],
        [u.output_tokens],
      );
      if (usage) result.usage = usage;
      if (typeof event.result === 'string' && event.result.trim()) result.summary = event.result.trim();
      if (event.is_error || (event.subtype && event.subtype !== 'success')) {
        const errors = Array.isArray(event.errors) ? event.errors.filter(Boolean).join('; ') : '';
        result.error = errors || (typeof event.result === 'string' && event.result) || String(event.subtype ?? 'error');
        result.log.push(errorLine(result.error));
      }
      return result;
    }
    case 'stream_event':
      return {};
    default:
      return undefined;
  }
}

/**
 * Checks the endpoint and the CLI; Claude Code needs no configuration file, only its environment.
 *
 * @param {{ home: string, env: NodeJS.ProcessEnv }} input
 */
async function prepare({ home, env }) {
  const endpoint = modelEndpoint(env, { harness: 'claude-code', keyVariable: KEY_VARIABLE });
  const runEnv = {
    ...env,
    ANTHROPIC_BASE_URL: endpoint.baseUrl,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
  };
  const version = await checkCliVersion({
    file: 'claude',
    displayName: 'Claude Code',
    supportedMajor: 2,
    why: 'its print mode, stream-json messages and session files are those of 2.x',
    env: runEnv,
    cwd: home,
  });
  return { env: runEnv, description: `Claude Code ${version} at ${endpoint.shown}`, warnings: [] };
}

module.exports = {
  name: 'claude-code',
  stateDirectories: ['.claude/projects', '.claude/todos'],
  prepare,
  command(input) {
    const { stdin, resumeId, settings } = commandParts(input);
    const args = ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];
    args.push(...(resumeId ? ['--resume', resumeId] : []), ...settings);
    return { file: 'claude', args, stdin };
  },
  parseLine: jsonLineParser({ describe, sessionIdOf }),
  prepareResume,
  projectDirName,
};
