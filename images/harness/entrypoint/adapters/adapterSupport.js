'use strict';
// What every CLI adapter needs: its command line's shared parts (the prompt on stdin, the checked
// resume id, the options a platform team sets through the pod's environment, from the policy and
// never from users), a reader of JSON-lines output, and the log vocabulary every harness's output
// becomes ([assistant], [tool], [thinking], [error]) in readable, bounded lines.

const MAX_TEXT_LINES = 20;
const MAX_LINE = 400;

function clip(text, max = MAX_LINE) {
  const s = String(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function textLines(prefix, text) {
  const lines = String(text)
    .split(/\r?\n/)
    .map(l => l.trimEnd())
    .filter(l => l.trim() !== '');
  const shown = lines.slice(0, MAX_TEXT_LINES).map(l => clip(`${prefix} ${l}`));
  if (lines.length > MAX_TEXT_LINES) {
    shown.push(`${prefix} … (${lines.length - MAX_TEXT_LINES} more lines)`);
  }
  return shown;
}

function firstLine(text) {
  return String(text ?? '').split(/\r?\n/).find(l => l.trim() !== '')?.trim() ?? '';
}

function relativePath(p, workdir) {
  if (typeof p !== 'string') return '';
  const base = (workdir || process.cwd()).replace(/\/+$/, '');
  return p.startsWith(`${base}/`) ? p.slice(base.length + 1) : p;
}

function options(env = {}) {
  const model = env.AGENTS_HARNESS_MODEL?.trim();
  if (model && (/\s/.test(model) || model.startsWith('-') || model.length > 200)) {
    throw new Error(`AGENTS_HARNESS_MODEL is not a model name: ${JSON.stringify(clip(model, 80))}`);
  }
  let extra = [];
  const raw = env.AGENTS_HARNESS_ARGS?.trim();
  if (raw) {
    try {
      extra = JSON.parse(raw);
    } catch {
      throw new Error('AGENTS_HARNESS_ARGS must be a JSON array of strings');
    }
    if (!Array.isArray(extra) || !extra.every(a => typeof a === 'string')) {
      throw new Error('AGENTS_HARNESS_ARGS must be a JSON array of strings');
    }
  }
  return { model: model || undefined, extra };
}

function checkSessionId(id) {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(id) || id.startsWith('-')) {
    throw new Error(`not a harness session id: ${JSON.stringify(clip(String(id), 80))}`);
  }
  return id;
}

/**
 * The parts of a CLI's command line that the contract decides, checked: the prompt (always on stdin,
 * never in argv, so it meets no argv limit and is never re-quoted), the session to resume, and the
 * platform's settings (`--model`, then the extra arguments), which every CLI takes in this order.
 * `modelFlag: false` for a CLI whose configuration names the model instead (OpenCode).
 */
function commandParts({ prompt, harnessSessionId, env = process.env }, { modelFlag = true } = {}) {
  const { model, extra } = options(env);
  return {
    stdin: String(prompt ?? ''),
    resumeId: harnessSessionId ? checkSessionId(harnessSessionId) : undefined,
    settings: [...(model && modelFlag ? ['--model', model] : []), ...extra],
  };
}

/**
 * A parseLine for a CLI that prints one JSON object per line. Anything else is logged as it came
 * (blank lines dropped); `describe(event, context)` reads an object into `{ log, summary, error,
 * sessionId }`, or returns undefined for an event it does not know, which is logged raw. `sessionIdOf`
 * is for CLIs that put their session id on every event.
 */
function jsonLineParser({ describe, sessionIdOf = () => undefined }) {
  return (line, context = {}) => {
    const text = String(line ?? '');
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      return { log: text.trim() ? [clip(text)] : [] };
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) return { log: [clip(text)] };
    const sessionId = sessionIdOf(event);
    const result = typeof sessionId === 'string' && sessionId ? { log: [], sessionId } : { log: [] };
    const described = describe(event, context);
    return described ? { ...result, ...described } : { ...result, log: [clip(text)] };
  };
}

/**
 * What a tool call is about, for its log line. `subjects` maps a CLI's own tool names to what in
 * their input says that; any other tool by the file it touches (the first of `fileFields` set,
 * relative to the work tree), else by `fallback`.
 */
function toolSubject(name, input, { subjects, fileFields, workdir, fallback }) {
  if (Object.hasOwn(subjects, name)) return subjects[name](input);
  const file = fileFields.reduce((found, field) => found ?? input[field], undefined);
  return file !== undefined ? relativePath(file, workdir) : fallback;
}

/** Readers of what a tool call is about, by the input field the CLIs' tools use for it. */
const SUBJECT_FROM = {
  command: input => firstLine(input.command),
  pattern: input => input.pattern,
  url: input => input.url,
  query: input => input.query,
  description: input => input.description,
  todos: input => (Array.isArray(input.todos) ? `${input.todos.length} todo(s)` : undefined),
};

/**
 * Token counts as the entrypoint reports them (`usage` in AGENTS_RESULT): every input token the
 * model read (cached or not) and every token it wrote (reasoning included), each the sum of the
 * parts a CLI reports them in. Counts that are not non-negative numbers count as 0; undefined when
 * the CLI reported no count at all.
 */
function tokenUsage(inputParts, outputParts) {
  const valid = n => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  const sum = parts => parts.reduce((total, n) => total + (valid(n) ? Math.round(n) : 0), 0);
  const known = [...inputParts, ...outputParts].some(valid);
  return known ? { inputTokens: sum(inputParts), outputTokens: sum(outputParts) } : undefined;
}

/**
 * The message of a provider's error body when a CLI passes the body on as its message
 * (`{"error":{"message":"…"}}`); the text itself otherwise.
 */
function providerMessage(text) {
  const s = String(text ?? '');
  try {
    const body = JSON.parse(s);
    const message = body?.error?.message ?? body?.message;
    if (typeof message === 'string' && message.trim()) return message.trim();
  } catch {
    // not JSON: the message as it came
  }
  return s;
}

function toolLine(name, subject) {
  return clip(subject ? `[tool] ${name} ${subject}` : `[tool] ${name}`);
}

function thinkingLine(text) {
  return clip(`[thinking] ${firstLine(text)}`);
}

function errorLine(message) {
  return clip(`[error] ${message}`);
}

module.exports = {
  MAX_TEXT_LINES, MAX_LINE, clip, textLines, firstLine, relativePath, options, checkSessionId,
  commandParts, jsonLineParser, toolSubject, SUBJECT_FROM, toolLine, thinkingLine, errorLine,
  tokenUsage, providerMessage,
};
