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
  clip, textLines, firstLine, toolLine, thinkingLine, errorLine,
  commandParts, jsonLineParser, toolSubject, SUBJECT_FROM: from,
} = require('./adapterSupport');

const STATE_DIR = '.local/share/opencode';

/** OpenCode's tools, by what in their input says what a call is about. */
const TOOL_SUBJECTS = {
  bash: from.command, glob: from.pattern, grep: from.pattern,
  webfetch: from.url, task: from.description, todowrite: from.todos,
};

function describeTool(part, workdir) {
  const tool = String(part.tool ?? 'tool');
  const subject = toolSubject(tool, part.state?.input ?? {}, {
    subjects: TOOL_SUBJECTS,
    fileFields: ['filePath', 'path', 'file_path'],
    workdir,
    fallback: part.state?.title,
  });
  return toolLine(tool, subject);
}

function errorMessage(error) {
  if (!error) return 'unknown error';
  if (typeof error === 'string') return error;
  return String(error.data?.message ?? error.message ?? error.name ?? JSON.stringify(error));
}

function describe(event, context) {
  const part = event.part && typeof event.part === 'object' ? event.part : {};
  switch (event.type) {
    case 'text': {
      const body = typeof part.text === 'string' ? part.text.trim() : '';
      return body ? { log: textLines('[assistant]', body), summary: body } : {};
    }
    case 'reasoning':
      return part.text ? { log: [thinkingLine(part.text)] } : {};
    case 'tool_use': {
      const line = describeTool(part, context.workdir);
      return { log: [part.state?.status === 'error' ? clip(`${line} failed: ${firstLine(part.state.error)}`) : line] };
    }
    case 'step_finish': {
      const tokens = part.tokens;
      return tokens && (tokens.input || tokens.output)
        ? { log: [`[usage] ${tokens.input ?? 0} in / ${tokens.output ?? 0} out tokens`] }
        : {};
    }
    case 'error': {
      const message = errorMessage(event.error);
      return { log: [errorLine(message)], error: message };
    }
    case 'step_start':
    case 'done':
      return {};
    default:
      return undefined;
  }
}

module.exports = {
  name: 'opencode',
  stateDirectories: [STATE_DIR],
  // Paths under the state directories (relative to $HOME) that never go into a bundle.
  stateExcludes: ['auth.json', 'log', 'bin'].map(entry => `${STATE_DIR}/${entry}`),
  command(input) {
    const { stdin, resumeId, settings } = commandParts(input);
    const args = ['run', '--format', 'json'];
    args.push(...(resumeId ? ['--session', resumeId] : []), ...settings);
    return { file: 'opencode', args, stdin };
  },
  parseLine: jsonLineParser({ describe, sessionIdOf: event => event.sessionID }),
};
