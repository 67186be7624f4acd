// The stub CLIs (test/stubs/bin) driven through the adapters (entrypoint/adapters): each adapter
// builds the argv, the stub runs in a temporary HOME and git work tree, the adapter parses its
// stdout, and the session id it found resumes the session — after the harness's state directories
// were copied, as a bundle would carry them, into a fresh HOME.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { useTmpDirs } = require('./tmpDirs');

const STUBS = path.resolve(__dirname, 'stubs', 'bin');
const ADAPTERS = {
  opencode: require('../entrypoint/adapters/opencode'),
  'claude-code': require('../entrypoint/adapters/claude-code'),
  codex: require('../entrypoint/adapters/codex'),
};

jest.setTimeout(60_000);

const tmpDir = useTmpDirs();

function git(cwd, ...args) {
  const r = spawnSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function workTree(name = 'repo') {
  const dir = path.join(tmpDir('work'), name);
  fs.mkdirSync(dir);
  git(dir, 'init', '--quiet', '--initial-branch=main');
  fs.writeFileSync(path.join(dir, 'README.md'), '# payments-service\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '--quiet', '-m', 'initial');
  return dir;
}

/**
 * Runs one harness run as the entrypoint would: adapter.command() → spawn by name on PATH (the stubs
 * first) with cwd = work tree and the prompt on stdin → adapter.parseLine() on every stdout line.
 * `onLog(line, child)` sees every readable log line (to stop a slow run).
 */
function runHarness(harness, { home, workdir, prompt, sessionId, onLog }) {
  const adapter = ADAPTERS[harness];
  const { file, args, stdin } = adapter.command({ prompt, workdir, harnessSessionId: sessionId, env: {} });
  const child = spawn(file, args, {
    cwd: workdir,
    env: { PATH: `${STUBS}${path.delimiter}${process.env.PATH}`, HOME: home, LANG: 'C.UTF-8' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const run = { file, args, log: [], errors: [], stdout: '', stderr: '' };
  let buffered = '';
  const take = line => {
    const parsed = adapter.parseLine(line, { workdir });
    if (parsed.sessionId) run.sessionId = parsed.sessionId;
    if (parsed.summary) run.summary = parsed.summary;
    if (parsed.error) run.errors.push(parsed.error);
    for (const l of parsed.log) {
      run.log.push(l);
      if (onLog) onLog(l, child);
    }
  };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', chunk => {
    run.stdout += chunk;
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      take(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', chunk => {
    run.stderr += chunk;
  });
  if (stdin !== undefined) child.stdin.end(stdin);
  else child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (buffered) take(buffered);
      resolve({ ...run, code, signal });
    });
  });
}

/** Copies the adapter's state directories (minus its excludes) from one HOME to another: a bundle. */
function carryState(harness, fromHome, toHome) {
  const adapter = ADAPTERS[harness];
  const excluded = new Set((adapter.stateExcludes ?? []).map(p => path.join(fromHome, p)));
  for (const dir of adapter.stateDirectories) {
    const from = path.join(fromHome, dir);
    if (!fs.existsSync(from)) continue;
    fs.cpSync(from, path.join(toHome, dir), { recursive: true, filter: src => !excluded.has(src) });
  }
}

function notes(workdir) {
  return fs.readFileSync(path.join(workdir, 'AGENT_NOTES.md'), 'utf8');
}

function walk(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

/** Where each harness keeps a session, checked against the real CLI's layout. */
const STATE = {
  opencode(home) {
    const dir = path.join(home, '.local', 'share', 'opencode');
    const db = path.join(dir, 'opencode.db');
    expect(fs.existsSync(db)).toBe(true);
    expect(fs.existsSync(`${db}-wal`)).toBe(true);
    expect(fs.readFileSync(db).subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
    // Read it the way another process would (read-only, so the WAL stays).
    const script = `
      process.emitWarning = () => {};
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(process.argv[1], { readOnly: true });
      const rows = db.prepare("SELECT json_extract(m.data, '$.role') AS role, json_extract(p.data, '$.text') AS text, m.session_id AS session FROM message m JOIN part p ON p.message_id = m.id ORDER BY m.time_created, m.id").all();
      console.log(JSON.stringify(rows));
      db.close();`;
    const r = spawnSync(process.execPath, ['-e', script, db], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout).map(row => ({ ...row }));
  },
  'claude-code'(home, workdir, sessionId) {
    const file = path.join(home, '.claude', 'projects', workdir.replace(/[^a-zA-Z0-9]/g, '-'), `${sessionId}.jsonl`);
    expect(fs.existsSync(file)).toBe(true);
    return fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map(l => JSON.parse(l))
      .filter(e => typeof e.message?.content === 'string' || e.type === 'assistant')
      .map(e => ({
        role: e.type,
        text: typeof e.message.content === 'string' ? e.message.content : e.message.content.find(c => c.type === 'text')?.text,
        session: e.sessionId,
      }))
      .filter(e => e.text !== undefined);
  },
  codex(home, workdir, sessionId) {
    const files = walk(path.join(home, '.codex', 'sessions')).filter(f => f.endsWith(`-${sessionId}.jsonl`));
    expect(files).toHaveLength(1);
    expect(path.relative(path.join(home, '.codex', 'sessions'), files[0])).toMatch(
      /^\d{4}\/\d{2}\/\d{2}\/rollout-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-[0-9a-f-]{36}\.jsonl$/,
    );
    const lines = fs.readFileSync(files[0], 'utf8').trim().split('\n').map(l => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'session_meta', payload: { id: sessionId, cwd: workdir } });
    return lines
      .filter(l => l.type === 'event_msg' && ['user_message', 'agent_message'].includes(l.payload.type))
      .map(l => ({ role: l.payload.type === 'user_message' ? 'user' : 'assistant', text: l.payload.message, session: sessionId }));
  },
};

const SESSION_ID_SHAPE = {
  opencode: /^ses_[0-9a-f]{12}[0-9A-Za-z]{14}$/,
  'claude-code': /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  codex: /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
};

describe.each(Object.keys(ADAPTERS))('%s adapter with its stub CLI', harness => {
  it('runs, keeps its state where the real CLI does, and resumes from a carried bundle', async () => {
    const home = tmpDir('home');
    const workdir = workTree();
    const first = await runHarness(harness, {
      home,
      workdir,
      prompt: 'Add a subtract function\nand a test for it',
    });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.sessionId).toMatch(SESSION_ID_SHAPE[harness]);
    expect(first.errors).toEqual([]);
    expect(first.summary).toContain('Recorded "Add a subtract function" in AGENT_NOTES.md');
    expect(first.log.some(l => /^\[tool\] \w+ AGENT_NOTES\.md$/.test(l))).toBe(true);
    expect(first.log.some(l => l.startsWith('[assistant] Recorded "Add a subtract function"'))).toBe(true);
    expect(notes(workdir)).toContain(`## ${harness} session ${first.sessionId}\n\n- prompt: Add a subtract function\n`);

    const turns = STATE[harness](home, workdir, first.sessionId);
    expect(turns.map(t => t.role)).toEqual(['user', 'assistant']);
    expect(turns[0].text).toBe('Add a subtract function\nand a test for it');

    // The bundle: only the adapter's state directories, into a fresh HOME and a fresh clone at the
    // same path (a new pod).
    const home2 = tmpDir('home');
    carryState(harness, home, home2);
    fs.rmSync(path.join(workdir, 'AGENT_NOTES.md'));
    const second = await runHarness(harness, {
      home: home2,
      workdir,
      prompt: 'Now add multiply',
      sessionId: first.sessionId,
    });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.sessionId).toBe(first.sessionId);
    const proof = `resumed ${first.sessionId}: 1 earlier turn(s); last prompt: Add a subtract function`;
    expect(second.summary).toContain(proof);
    expect(notes(workdir)).toContain(`- prompt: Now add multiply\n- ${proof}\n`);

    const third = await runHarness(harness, {
      home: home2,
      workdir,
      prompt: 'And divide',
      sessionId: second.sessionId,
    });
    expect(third.code).toBe(0);
    expect(third.summary).toContain(`resumed ${first.sessionId}: 2 earlier turn(s); last prompt: Now add multiply`);
    expect(STATE[harness](home2, workdir, first.sessionId).map(t => t.text.split('\n')[0])).toEqual([
      'Add a subtract function',
      expect.stringContaining('Recorded "Add a subtract function"'),
      'Now add multiply',
      expect.stringContaining(proof),
      'And divide',
      expect.stringContaining('2 earlier turn(s)'),
    ]);
  });

  it('fails like the real CLI on an unknown session id', async () => {
    const home = tmpDir('home');
    const workdir = workTree();
    const unknown = { opencode: 'ses_0000000000000000000000000a', 'claude-code': '00000000-0000-4000-8000-000000000000', codex: '00000000-0000-7000-8000-000000000000' }[harness];
    const run = await runHarness(harness, { home, workdir, prompt: 'Continue', sessionId: unknown });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(
      { opencode: /Session not found/, 'claude-code': /No conversation found with session ID: /, codex: /no rollout found for thread id/ }[harness],
    );
    expect(fs.existsSync(path.join(workdir, 'AGENT_NOTES.md'))).toBe(false);
  });

  it('[stub:fail] reports an error event and exits 1 without editing', async () => {
    const home = tmpDir('home');
    const workdir = workTree();
    const run = await runHarness(harness, { home, workdir, prompt: 'Break please [stub:fail]' });
    expect(run.code).toBe(1);
    expect(run.sessionId).toMatch(SESSION_ID_SHAPE[harness]);
    expect(run.errors.join('\n')).toContain('stub failure requested by [stub:fail]');
    expect(run.log.some(l => l.startsWith('[error] '))).toBe(true);
    expect(fs.existsSync(path.join(workdir, 'AGENT_NOTES.md'))).toBe(false);
  });

  it('[stub:slow] edits, says it waits, and on SIGTERM writes its state and exits 143', async () => {
    const home = tmpDir('home');
    const workdir = workTree();
    let stopped = false;
    const run = await runHarness(harness, {
      home,
      workdir,
      prompt: 'Take your time [stub:slow]',
      onLog: (line, child) => {
        if (!stopped && line === '[assistant] [stub:slow] waiting until stopped') {
          stopped = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(stopped).toBe(true);
    expect(run.code).toBe(143);
    expect(notes(workdir)).toContain(`## ${harness} session ${run.sessionId}`);
    const resumed = await runHarness(harness, { home, workdir, prompt: 'Finish it', sessionId: run.sessionId });
    expect(resumed.code).toBe(0);
    expect(resumed.summary).toContain(`resumed ${run.sessionId}: 1 earlier turn(s); last prompt: Take your time [stub:slow]`);
  });
});

describe('claude-code sessions and the working directory', () => {
  it('cannot resume from another path until prepareResume moves the session under the current one', async () => {
    const adapter = ADAPTERS['claude-code'];
    const home = tmpDir('home');
    const before = workTree('repo');
    const first = await runHarness('claude-code', { home, workdir: before, prompt: 'First' });
    expect(first.code).toBe(0);

    const after = workTree('repo'); // another pod's work tree: same name, different path
    const lost = await runHarness('claude-code', { home, workdir: after, prompt: 'Second', sessionId: first.sessionId });
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain(`No conversation found with session ID: ${first.sessionId}`);

    const moved = adapter.prepareResume({ home, workdir: after, harnessSessionId: first.sessionId });
    expect(moved).toEqual({
      moved: true,
      sessionFile: path.join(home, '.claude', 'projects', adapter.projectDirName(after), `${first.sessionId}.jsonl`),
    });
    expect(adapter.prepareResume({ home, workdir: after, harnessSessionId: first.sessionId }).moved).toBe(false);
    const found = await runHarness('claude-code', { home, workdir: after, prompt: 'Second', sessionId: first.sessionId });
    expect(found.code).toBe(0);
    expect(found.summary).toContain(`resumed ${first.sessionId}: 1 earlier turn(s); last prompt: First`);
  });
});

describe('stub command lines', () => {
  const home = tmpDir('home');
  const run = (file, args, input = '') =>
    spawnSync(path.join(STUBS, file), args, {
      cwd: workTree(),
      input,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home },
    });

  it('are committed as executables', () => {
    for (const file of ['opencode', 'claude', 'codex']) {
      const stat = fs.statSync(path.join(STUBS, file));
      expect(stat.mode & 0o111).toBe(0o111);
      expect(fs.readFileSync(path.join(STUBS, file), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    }
    const modes = spawnSync('git', ['ls-files', '-s', 'stubs/bin'], { cwd: __dirname, encoding: 'utf8' }).stdout;
    for (const line of modes.trim().split('\n').filter(Boolean)) expect(line).toMatch(/^100755 /);
  });

  it('refuse unknown flags as the real CLIs do', () => {
    expect(run('opencode', ['run', '--format', 'json', '--bogus'], 'x')).toMatchObject({ status: 1, stderr: expect.stringContaining("unknown option '--bogus'") });
    expect(run('claude', ['-p', '--bogus'], 'x')).toMatchObject({ status: 1, stderr: expect.stringContaining("unknown option '--bogus'") });
    expect(run('codex', ['exec', '--bogus', '-'], 'x')).toMatchObject({ status: 2, stderr: expect.stringContaining("unexpected argument '--bogus' found") });
    expect(run('codex', ['exec', 'resume', '--sandbox', 'read-only', 'x', '-'], 'x')).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("unexpected argument '--sandbox' found"),
    });
  });

  it('want the flags the adapters rely on', () => {
    expect(run('claude', ['-p', '--output-format', 'stream-json'], 'x')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('requires --verbose'),
    });
    expect(run('opencode', ['run', '--format', 'json'], '')).toMatchObject({
      status: 1,
      stderr: expect.stringContaining('You must provide a message'),
    });
    const outside = spawnSync(path.join(STUBS, 'codex'), ['exec', '--json', '-'], {
      cwd: tmpDir('plain'),
      input: 'x',
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: home },
    });
    expect(outside).toMatchObject({ status: 1, stderr: expect.stringContaining('--skip-git-repo-check was not specified') });
  });

  it('take the prompt from argv as well as stdin', () => {
    const r = run('codex', ['exec', '--json', 'From argv']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Recorded \\"From argv\\"');
    const o = run('opencode', ['run', '--format', 'json', 'From', 'argv']);
    expect(o.status).toBe(0);
    expect(o.stdout).toContain('Recorded \\"From argv\\"');
    const c = run('claude', ['-p', 'From argv']);
    expect(c.status).toBe(0);
    expect(c.stdout).toContain('Recorded "From argv"');
  });
});
