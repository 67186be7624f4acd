'use strict';
// OpenCode (https://opencode.ai) as a harness: `opencode run --format json`, one JSON event per line.
//
//   first run:  opencode run --format json [--model <provider/model>] [extra args]            < prompt
//   resume:     opencode run --format json --session <ses_…> [--model …] [extra args]         < prompt
//
// The prompt goes on stdin, never in argv: `opencode run` reads piped stdin as the message when no
// message argument is given, so a long prompt never meets argv limits and is never re-quoted (run
// quotes message arguments that contain spaces before sending them).
//
// Every event carries the session id at the top level (`sessionID`). Events:
//   {"type":"step_start","sessionID":"ses_…","part":{"type":"step-start",…}}
//   {"type":"text","sessionID":"ses_…","part":{"type":"text","text":"…","time":{…}}}
//   {"type":"tool_use","sessionID":"ses_…","part":{"type":"tool","tool":"edit","state":{"status":"completed","input":{…}}}}
//   {"type":"step_finish","sessionID":"ses_…","part":{"type":"step-finish","reason":"stop","tokens":{…}}}
//   {"type":"error","sessionID":"ses_…","error":{"name":"…","data":{"message":"…"}}}
//
// Its state lives in the XDG data directory: ~/.local/share/opencode holds the SQLite database
// (opencode.db with its -wal/-shm files) and `storage/`; the bundle takes the whole directory, minus
// what `stateExcludes` names (logs, and auth.json, which only exists after `opencode auth login` and
// never in a pod: providers' keys come from the environment).

const {
  clip,
  textLines,
  firstLine,
  relativePath,
  options,
  checkSessionId,
} = require('./adapterSupport');

function describeTool(part, workdir) {
  const tool = String(part.tool ?? 'tool');
  const input = part.state?.input ?? {};
  const file = input.filePath ?? input.path ?? input.file_path;
  let what;
  switch (tool) {
    case 'bash':
      what = firstLine(input.command);
      break;
    case 'glob':
    case 'grep':
      what = input.pattern;
      break;
    case 'webfetch':
      what = input.url;
      break;
    case 'task':
      what = input.description;
      break;
    case 'todowrite':
      what = Array.isArray(input.todos) ? `${input.todos.length} todo(s)` : undefined;
      break;
    default:
      what = file !== undefined ? relativePath(file, workdir) : part.state?.title;
  }
  return clip(what ? `[tool] ${tool} ${what}` : `[tool] ${tool}`);
}

function errorMessage(error) {
  if (!error) return 'unknown error';
  if (typeof error === 'string') return error;
  return String(error.data?.message ?? error.message ?? error.name ?? JSON.stringify(error));
}

function parseLine(line, context = {}) {
  const text = String(line ?? '');
  let event;
  try {
    event = JSON.parse(text);
  } catch {
    return { log: text.trim() ? [clip(text)] : [] };
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) return { log: [clip(text)] };

  const result = { log: [] };
  if (typeof event.sessionID === 'string' && event.sessionID) result.sessionId = event.sessionID;
  const part = event.part && typeof event.part === 'object' ? event.part : {};

  switch (event.type) {
    case 'text': {
      const body = typeof part.text === 'string' ? part.text.trim() : '';
      if (body) {
        result.log = textLines('[assistant]', body);
        result.summary = body;
      }
      break;
    }
    case 'reasoning':
      if (part.text) result.log = [clip(`[thinking] ${firstLine(part.text)}`)];
      break;
    case 'tool_use': {
      const line = describeTool(part, context.workdir);
      if (part.state?.status === 'error') {
        result.log = [clip(`${line} failed: ${firstLine(part.state.error)}`)];
      } else {
        result.log = [line];
      }
      break;
    }
    case 'step_finish': {
      const tokens = part.tokens;
      if (tokens && (tokens.input || tokens.output)) {
        result.log = [`[usage] ${tokens.input ?? 0} in / ${tokens.output ?? 0} out tokens`];
      }
      break;
    }
    case 'error': {
      const message = errorMessage(event.error);
      result.log = [clip(`[error] ${message}`)];
      result.error = message;
      break;
    }
    case 'step_start':
    case 'done':
      break;
    default:
      result.log = [clip(text)];
  }
  return result;
}

module.exports = {
  name: 'opencode',
  stateDirectories: ['.local/share/opencode'],
  // Paths under the state directories (relative to $HOME) that never go into a bundle.
  stateExcludes: ['.local/share/opencode/auth.json', '.local/share/opencode/log', '.local/share/opencode/bin'],
  command({ prompt, harnessSessionId, env = process.env }) {
    const { model, extra } = options(env);
    const args = ['run', '--format', 'json'];
    if (harnessSessionId) args.push('--session', checkSessionId(harnessSessionId));
    if (model) args.push('--model', model);
    args.push(...extra);
    return { file: 'opencode', args, stdin: String(prompt ?? '') };
  },
  parseLine,
};
