#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The demo agent behind the `demo` harness: reads the prompt on stdin, records it as a change to
 * AGENTS_DEMO.md in the working directory, and keeps its conversation under
 * ~/.local/share/agents-demo, so a resumed run can show it remembers the earlier turns.
 * Markers in the prompt: `[stub:slow]` works until stopped; `[stub:fail]` fails; `[stub:lines=N]`
 * prints N numbered progress lines, 60 ms apart (as a real agent trickles its events), then finishes;
 * `[stub:file=PATH]` records the turn in PATH (relative to the repository) instead.
 * A task of a fan-out (AGENTS_FANOUT_SESSION_ID set) records it in agents-demo/<task id or session
 * id>.md, so that the tasks of a wave merge cleanly; two tasks naming one file with `[stub:file=…]`
 * conflict when merged.
 * No model, no network: for development only.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const emit = (/** @type {object} */ event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const sleep = (/** @type {number} */ ms) => new Promise(resolve => setTimeout(resolve, ms));

async function main() {
  const prompt = fs.readFileSync(0, 'utf8');
  const resumeAt = process.argv.indexOf('--resume');
  const resumeId = resumeAt > 0 ? process.argv[resumeAt + 1] : undefined;
  const stateDir = path.join(process.env.HOME ?? '.', '.local/share/agents-demo/sessions');
  fs.mkdirSync(stateDir, { recursive: true });

  const id = resumeId ?? crypto.randomUUID();
  const stateFile = path.join(stateDir, `${id}.json`);
  /** @type {{ id: string, turns: { prompt: string, at: string }[] }} */
  let state = { id, turns: [] };
  if (resumeId) {
    if (!fs.existsSync(stateFile)) {
      emit({ type: 'error', message: `No demo session ${resumeId} in ${stateDir}` });
      process.exitCode = 1;
      return;
    }
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  }
  const save = () => fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.on('SIGTERM', () => {
    save();
    process.exit(143);
  });

  emit({ type: 'session', id, resumed: Boolean(resumeId) });
  const firstLine = prompt.trim().split('\n')[0];
  const earlier = state.turns.length;
  if (earlier > 0) {
    emit({
      type: 'step',
      text: `resumed ${id}: ${earlier} earlier turn(s); last prompt: ${state.turns[earlier - 1].prompt.split('\n')[0]}`,
    });
  }
  if (prompt.includes('[stub:fail]')) {
    emit({ type: 'error', message: 'The prompt asked the demo agent to fail' });
    process.exitCode = 1;
    return;
  }
  const notesPath = notesFile(prompt, process.env);
  for (const text of ['Reading the repository', 'Planning the change', `Editing ${notesPath}`]) {
    emit({ type: 'step', text });
    await sleep(300);
  }
  state.turns.push({ prompt, at: new Date().toISOString() });
  save();
  const notes = path.join(process.cwd(), notesPath);
  fs.mkdirSync(path.dirname(notes), { recursive: true });
  fs.appendFileSync(
    notes,
    `\n## Turn ${state.turns.length} (demo session ${id})\n\n${firstLine}\n${earlier ? `\nContinues ${earlier} earlier turn(s).\n` : ''}`,
  );
  emit({ type: 'edit', path: notesPath });

  const trickle = /\[stub:lines=(\d{1,5})\]/.exec(prompt);
  if (trickle) {
    const total = Number(trickle[1]);
    for (let i = 1; i <= total; i++) {
      emit({ type: 'step', text: `Progress line ${i} of ${total}` });
      await sleep(60);
    }
  }
  if (prompt.includes('[stub:slow]')) {
    emit({ type: 'step', text: 'Working slowly until stopped' });
    for (let i = 1; i <= 240; i++) {
      await sleep(500);
      if (i % 4 === 0) emit({ type: 'step', text: `Still working (${i / 2} s)` });
    }
  }
  emit({ type: 'done', summary: `Recorded turn ${state.turns.length} in ${notesPath}` });
}

/**
 * Where the turn is recorded, relative to the repository: the file a `[stub:file=…]` marker names, a
 * file of the task's own in a fan-out, else AGENTS_DEMO.md.
 * @param {string} prompt
 * @param {NodeJS.ProcessEnv} env
 */
function notesFile(prompt, env) {
  const named = /\[stub:file=([^\]\s]+)\]/.exec(prompt)?.[1];
  if (named) {
    const normalized = path.posix.normalize(named);
    if (path.posix.isAbsolute(normalized) || normalized.startsWith('..') || normalized.startsWith('.git')) {
      throw new Error(`[stub:file=${named}] must name a file inside the repository`);
    }
    return normalized;
  }
  if (env.AGENTS_FANOUT_SESSION_ID) {
    const own = (env.AGENTS_TASK_ID || env.AGENTS_SESSION_ID || 'task').replace(/[^A-Za-z0-9._-]/g, '_');
    return `agents-demo/${own}.md`;
  }
  return 'AGENTS_DEMO.md';
}

main().catch(error => {
  emit({ type: 'error', message: String(error?.message ?? error) });
  process.exitCode = 1;
});
