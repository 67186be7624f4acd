'use strict';
// What the three stub CLIs (test/stubs/bin/{opencode,claude,codex}) share: reading the prompt,
// the deterministic edit in the working directory, the resume proof, the [stub:slow] and
// [stub:fail] markers, and a strict little argv parser so a wrong flag fails as it would with the
// real CLI. Test fixtures only: no npm dependencies, Node 20+.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const SLOW_MARKER = '[stub:slow]';
const FAIL_MARKER = '[stub:fail]';
const SLOW_PROGRESS = '[stub:slow] waiting until stopped';
const SLOW_MAX_MS = 120_000;

class UsageError extends Error {}

/**
 * Parses argv against a spec: `{ '--format': { value: true }, '-s': '--session', '--verbose': {} }`
 * (a string value is an alias). Repeatable options collect into arrays when `repeat: true`.
 * `--` ends options. Returns { opts, positionals }; throws UsageError on an unknown option or a
 * missing value.
 */
function parseArgs(argv, spec, { stopAt } = {}) {
  const opts = {};
  const positionals = [];
  let rest;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (stopAt && positionals.length === 0 && stopAt.includes(arg)) {
      rest = argv.slice(i);
      break;
    }
    if (arg.length > 1 && arg.startsWith('-') && arg !== '-') {
      let name = arg;
      let inline;
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq > 0) {
        name = arg.slice(0, eq);
        inline = arg.slice(eq + 1);
      }
      let def = spec[name];
      if (typeof def === 'string') {
        name = def;
        def = spec[def];
      }
      if (!def) throw new UsageError(`unknown option '${arg}'`);
      const key = name.replace(/^-+/, '');
      let value = true;
      if (def.value) {
        if (inline !== undefined) value = inline;
        else if (i + 1 < argv.length) value = argv[++i];
        else throw new UsageError(`option '${name}' argument missing`);
        if (def.choices && !def.choices.includes(value)) {
          throw new UsageError(`option '${name}' argument '${value}' is invalid. Allowed choices are ${def.choices.join(', ')}.`);
        }
      }
      if (def.repeat) (opts[key] ??= []).push(value);
      else opts[key] = value;
      continue;
    }
    positionals.push(arg);
  }
  return { opts, positionals, rest };
}

/** Stdin as text when it is a pipe or a file; '' for a terminal or a closed stdin. */
function readStdin() {
  if (process.stdin.isTTY) return '';
  try {
    return fs.readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

function firstLine(text) {
  return String(text ?? '').split(/\r?\n/).find(l => l.trim() !== '')?.trim() ?? '';
}

function markers(prompt) {
  return { slow: prompt.includes(SLOW_MARKER), fail: prompt.includes(FAIL_MARKER) };
}

/** The sentence that proves a resumed run saw its earlier state. */
function resumeProof(sessionId, earlierTurns, lastPrompt) {
  return `resumed ${sessionId}: ${earlierTurns} earlier turn(s); last prompt: ${firstLine(lastPrompt)}`;
}

/** The reply of a turn: the resume proof (if any), then what was edited. */
function replyText({ harness, sessionId, prompt, proof }) {
  const did = `Recorded "${firstLine(prompt)}" in AGENT_NOTES.md (${harness} session ${sessionId}).`;
  return proof ? `${proof}\n${did}` : did;
}

/** The deterministic edit: append a section to AGENT_NOTES.md in the working directory. */
function appendNotes(dir, { harness, sessionId, prompt, proof }) {
  const file = path.join(dir, 'AGENT_NOTES.md');
  const existed = fs.existsSync(file);
  let section = existed ? '\n' : '# Agent notes\n\n';
  section += `## ${harness} session ${sessionId}\n\n- prompt: ${firstLine(prompt)}\n`;
  if (proof) section += `- ${proof}\n`;
  fs.appendFileSync(file, section);
  return { file, existed };
}

/** Writes one JSON event line to stdout (synchronous on pipes and files). */
function emit(event) {
  fs.writeSync(1, `${JSON.stringify(event)}\n`);
}

function printErr(message) {
  fs.writeSync(2, `${message}\n`);
}

/**
 * [stub:slow]: waits until SIGTERM/SIGINT (or SLOW_MAX_MS). Call it before printing the progress
 * line, so a signal sent on seeing that line finds the handlers in place. On a signal, `onStop(signal)` writes
 * the state and the process exits 128+signo, as a real CLI would; on timeout `onDone()` runs.
 */
function waitUntilStopped({ onStop, onDone, maxMs = SLOW_MAX_MS }) {
  const timer = setTimeout(() => {
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
    onDone();
  }, maxMs);
  const stop = (signal, code) => {
    clearTimeout(timer);
    try {
      onStop(signal);
    } finally {
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM', 143));
  process.on('SIGINT', () => stop('SIGINT', 130));
}

function isoNow() {
  return new Date().toISOString();
}

/** A UUIDv7 (time-ordered), the shape of Codex thread ids. */
function uuidv7() {
  const bytes = crypto.randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

let lastMs = 0;
let counter = 0;

/**
 * An OpenCode-style identifier: prefix, 12 hex digits of time, 14 random base62 characters. Ids made
 * by one process ascend, even within a millisecond (a counter, as OpenCode keeps).
 */
function ascendingId(prefix) {
  const ms = Date.now();
  counter = ms === lastMs ? counter + 1 : 0;
  lastMs = ms;
  const time = (BigInt(ms) * 4096n + BigInt(counter)).toString(16).padStart(12, '0').slice(-12);
  let random = '';
  for (let i = 0; i < 14; i++) random += BASE62[crypto.randomInt(62)];
  return `${prefix}_${time}${random}`;
}

module.exports = {
  FAIL_MARKER,
  SLOW_MARKER,
  SLOW_PROGRESS,
  UsageError,
  appendNotes,
  ascendingId,
  emit,
  firstLine,
  isoNow,
  markers,
  parseArgs,
  printErr,
  readStdin,
  replyText,
  resumeProof,
  uuidv7,
  waitUntilStopped,
};
