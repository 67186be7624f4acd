#!/usr/bin/env node
// A scripted stand-in for the harness image in runtime tests: its behaviour comes from the prompt.
//   "fail"      prints lines, reports failure and exits 3
//   "sleep N"   prints a line and sleeps N seconds (for deadlines and cancellation)
//   "lines N"   prints N numbered lines, 50 ms apart, then succeeds
//   anything    prints a few lines and succeeds, reporting 12,000 input and 3,400 output tokens
const fs = require('node:fs');

const prompt = fs.readFileSync(process.env.AGENTS_PROMPT_FILE, 'utf8').trim();
const prefix = process.env.AGENTS_RESULT_PREFIX || 'AGENTS_RESULT';
const result = value => console.log(`${prefix} ${JSON.stringify(value)}`);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

process.on('SIGTERM', () => {
  console.log('received SIGTERM');
  process.exit(143);
});

(async () => {
  console.log(`harness ${process.env.AGENTS_HARNESS} on ${process.env.AGENTS_WORK_BRANCH}`);
  const [command, arg] = prompt.split(/\s+/);
  if (command === 'fail') {
    console.log('something went wrong');
    result({ status: 'failed', summary: 'Could not do it' });
    process.exit(3);
  }
  if (command === 'sleep') {
    await sleep(Number(arg) * 1000);
  }
  const count = command === 'lines' ? Number(arg) : 3;
  for (let i = 1; i <= count; i++) {
    console.log(`line ${i}`);
    if (command === 'lines') await sleep(50);
  }
  result({
    status: 'succeeded',
    headCommit: 'abc1234',
    filesChanged: 2,
    summary: `Did: ${prompt}`,
    usage: { inputTokens: 12000, outputTokens: 3400 },
  });
})();
