'use strict';
// What every adapter needs: readable, bounded log text from an agent's output, and the options a
// platform team sets through the pod's environment (from the policy, never from users).

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

module.exports = { MAX_TEXT_LINES, MAX_LINE, clip, textLines, firstLine, relativePath, options, checkSessionId };
