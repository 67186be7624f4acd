// The demo agent (entrypoint/demo-agent.js) run as the demo adapter runs it: the prompt on stdin, in a
// work tree, with a temporary HOME. Which file it records a turn in decides whether fan-out tasks merge.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { useTmpDirs } = require('./tmpDirs');

const AGENT = path.resolve(__dirname, '..', 'entrypoint', 'demo-agent.js');

jest.setTimeout(30_000);

const tmpDir = useTmpDirs();

/** Runs the agent on `prompt` with `env` added; returns its events, exit code and work tree. */
function runAgent(prompt, env = {}) {
  const cwd = tmpDir('work');
  const { AGENTS_FANOUT_SESSION_ID: _f, AGENTS_TASK_ID: _t, ...base } = process.env;
  const result = spawnSync(process.execPath, [AGENT], {
    cwd,
    input: prompt,
    encoding: 'utf8',
    env: { ...base, HOME: tmpDir('home'), ...env },
  });
  const events = result.stdout.split('\n').filter(Boolean).map(line => JSON.parse(line));
  return { cwd, events, code: result.status, files: listFiles(cwd) };
}

function listFiles(dir, prefix = '') {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap(entry =>
      entry.isDirectory() ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
    );
}

describe('demo agent', () => {
  it('records a plain session’s turn in AGENTS_DEMO.md', () => {
    const { events, code, files, cwd } = runAgent('Add a refund endpoint');
    expect(code).toBe(0);
    expect(files).toEqual(['AGENTS_DEMO.md']);
    expect(fs.readFileSync(path.join(cwd, 'AGENTS_DEMO.md'), 'utf8')).toContain('Add a refund endpoint');
    expect(events).toContainEqual({ type: 'edit', path: 'AGENTS_DEMO.md' });
    expect(events.at(-1)).toEqual({ type: 'done', summary: 'Recorded turn 1 in AGENTS_DEMO.md' });
  });

  it('records a fan-out task’s turn in a file of its own, named after its task id or else its session', () => {
    const task = runAgent('T004 Add the ledger', { AGENTS_FANOUT_SESSION_ID: 'f-1', AGENTS_TASK_ID: 'T004' });
    expect(task.code).toBe(0);
    expect(task.files).toEqual(['agents-demo/T004.md']);
    expect(fs.readFileSync(path.join(task.cwd, 'agents-demo/T004.md'), 'utf8')).toContain('T004 Add the ledger');

    const untitled = runAgent('Add the ledger', { AGENTS_FANOUT_SESSION_ID: 'f-1', AGENTS_SESSION_ID: 's/1' });
    expect(untitled.files).toEqual(['agents-demo/s_1.md']);
  });

  it('records the turn in the file a [stub:file=…] marker names, and refuses one outside the repository', () => {
    const named = runAgent('Clash [stub:file=shared/notes.md]', { AGENTS_FANOUT_SESSION_ID: 'f-1', AGENTS_TASK_ID: 'T001' });
    expect(named.code).toBe(0);
    expect(named.files).toEqual(['shared/notes.md']);

    const outside = runAgent('Escape [stub:file=../x.md]');
    expect(outside.code).toBe(1);
    expect(outside.events.at(-1)).toMatchObject({ type: 'error', message: expect.stringContaining('inside the repository') });
    expect(outside.files).toEqual([]);
  });
});
