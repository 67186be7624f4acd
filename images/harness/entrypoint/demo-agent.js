#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The demo agent behind the `demo` harness: reads the prompt on stdin, records it as a change to
 * AGENTS_DEMO.md in the working directory, and keeps its conversation under
 * ~/.local/share/agents-demo, so a resumed run can show it remembers the earlier turns.
 * Markers in the prompt: `[stub:slow]` works until stopped; `[stub:fail]` fails; `[stub:lines=N]`
 * prints N numbered progress lines, 60 ms apart (as a real agent trickles its events), then finishes.
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
  for (const text of ['Reading the repository', 'Planning the change', 'Editing AGENTS_DEMO.md']) {
    emit({ type: 'step', text });
    await sleep(300);
  }
  state.turns.push({ prompt, at: new Date().toISOString() });
  save();
  const notes = path.join(process.cwd(), 'AGENTS_DEMO.md');
  fs.appendFileSync(
    notes,
    `\n## Turn ${state.turns.length} (demo session ${id})\n\n${firstLine}\n${earlier ? `\nContinues ${earlier} earlier turn(s).\n` : ''}`,
  );
  emit({ type: 'edit', path: 'AGENTS_DEMO.md' });

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
  emit({ type: 'done', summary: `Recorded turn ${state.turns.length} in AGENTS_DEMO.md` });
}

main().catch(error => {
  emit({ type: 'error', message: String(error?.message ?? error) });
  process.exitCode = 1;
});
