'use strict';
// OpenCode (https://opencode.ai) as a harness: `opencode run --format json`, one JSON event per line.
//
//   first run:  opencode run --format json [extra args]                          < prompt
//   resume:     opencode run --format json --session <ses_…> [extra args]         < prompt
//
// The prompt goes on stdin, never in argv: `opencode run` reads piped stdin as the message when no
// message argument is given, so a long prompt never meets argv limits and is never re-quoted (run
// quotes message arguments that contain spaces before sending them).
//
// Before the run, prepare() checks the version (1.x: 2.x changed its server and plugin API) and
// writes ~/.config/opencode (see opencodeConfig.js): the model endpoint (AGENTS_MODEL_BASE_URL,
// OpenAI-compatible, `…/v1`) as provider `agents` with the key from OPENAI_API_KEY, and the model
// `agents/<AGENTS_HARNESS_MODEL>` (so no --model flag). The environment switches off what it would
// fetch at start: the models catalogue, its own update, LSP servers.
//
// Every event carries the session id at the top level (`sessionID`). Events:
//   {"type":"step_start","sessionID":"ses_…","part":{"type":"step-start",…}}
//   {"type":"text","sessionID":"ses_…","part":{"type":"text","text":"…","time":{…}}}
//   {"type":"tool_use","sessionID":"ses_…","part":{"type":"tool","tool":"edit","state":{"status":"completed","input":{…}}}}
//   {"type":"step_finish","sessionID":"ses_…","part":{"type":"step-finish","reason":"stop","tokens":{"input":…,"output":…,"reasoning":…,"cache":{"read":…,"write":…}}}}
//   {"type":"error","sessionID":"ses_…","error":{"name":"APIError","data":{"message":"…","statusCode":400}}}
//
// Its state lives in the XDG data directory: ~/.local/share/opencode holds the SQLite database
// (opencode.db with its -wal/-shm files), `snapshot/` and `repos/`; the bundle takes the whole
// directory, minus what `stateExcludes` names (logs, the binaries it downloads, and auth.json,
// which only exists after `opencode auth login` and never in a pod).

const path = require('node:path');
const { checkCliVersion } = require('./cliVersion');
const { modelEndpoint } = require('./modelEndpoint');
const { writeOpencodeConfig } = require('./opencodeConfig');
const { relocateSession } = require('./opencodeSessions');
const {
  clip, textLines, firstLine, toolLine, thinkingLine, errorLine,
  commandParts, jsonLineParser, toolSubject, SUBJECT_FROM: from, options, tokenUsage,
} = require('./adapterSupport');

const STATE_DIR = '.local/share/opencode';
const KEY_VARIABLE = 'OPENAI_API_KEY';

/** What OpenCode would otherwise fetch at every start (docs/harness-contract.md). */
const OFFLINE_ENV = {
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
};

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
      const tokens = part.tokens && typeof part.tokens === 'object' ? part.tokens : undefined;
      if (!tokens) return {};
      // `input` leaves out cached tokens and `output` the reasoning: both are counted here.
      const usage = tokenUsage(
        [tokens.input, tokens.cache?.read, tokens.cache?.write],
        [tokens.output, tokens.reasoning],
      );
      if (!usage) return {};
      return { usage, log: [`[usage] ${tokens.input ?? 0} in / ${tokens.output ?? 0} out tokens`] };
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

/**
 * Checks the endpoint, the model and the CLI, and writes OpenCode's configuration into HOME.
 *
 * @param {{ home: string, env: NodeJS.ProcessEnv }} input
 */
async function prepare({ home, env }) {
  const endpoint = modelEndpoint(env, { harness: 'opencode', keyVariable: KEY_VARIABLE });
  const { model } = options(env);
  if (!model) {
    throw new Error('The opencode harness has no model: AGENTS_HARNESS_MODEL is not set (set agents.harnesses.opencode.model)');
  }
  const runEnv = { ...env, ...OFFLINE_ENV };
  const version = await checkCliVersion({
    file: 'opencode',
    displayName: 'OpenCode',
    supportedMajor: 1,
    why: '2.x changed its server and plugin API',
    env: runEnv,
    cwd: home,
  });
  const { warning } = writeOpencodeConfig({ home, env, baseUrl: endpoint.baseUrl, keyVariable: KEY_VARIABLE, model });
  return {
    env: runEnv,
    description: `OpenCode ${version}, model agents/${model} at ${endpoint.shown}`,
    warnings: warning ? [warning] : [],
  };
}

module.exports = {
  name: 'opencode',
  stateDirectories: [STATE_DIR],
  // Paths under the state directories (relative to $HOME) that never go into a bundle.
  stateExcludes: ['auth.json', 'log', 'bin'].map(entry => `${STATE_DIR}/${entry}`),
  prepare,
  command(input) {
    // The model is in the configuration prepare() wrote.
    const { stdin, resumeId, settings } = commandParts(input, { modelFlag: false });
    const args = ['run', '--format', 'json'];
    args.push(...(resumeId ? ['--session', resumeId] : []), ...settings);
    return { file: 'opencode', args, stdin };
  },
  parseLine: jsonLineParser({ describe, sessionIdOf: event => event.sessionID }),
  /** A session restored from a run whose work tree was elsewhere is moved to this one. */
  prepareResume({ home, workdir, harnessSessionId }) {
    return relocateSession({ dataDir: path.join(home, STATE_DIR), sessionId: harnessSessionId, workdir });
  },
};
