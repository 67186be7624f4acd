// Unit tests of the harness adapters: the command lines they build and how they read their
// harness's output (event shapes as the real CLIs print them).
const crypto = require('node:crypto');
const path = require('node:path');

const opencode = require('../entrypoint/adapters/opencode');
const claude = require('../entrypoint/adapters/claude-code');
const codex = require('../entrypoint/adapters/codex');

const ADAPTERS = { opencode, 'claude-code': claude, codex };
const WORKDIR = '/workspace/repo';
const PROMPT = 'Add a subtract function\n\nKeep the style of add().';

describe.each(Object.entries(ADAPTERS))('%s adapter', (name, adapter) => {
  it('has the shape the entrypoint loads', () => {
    expect(adapter.name).toBe(name);
    expect(adapter.stateDirectories.length).toBeGreaterThan(0);
    for (const dir of [...adapter.stateDirectories, ...(adapter.stateExcludes ?? [])]) {
      expect(path.isAbsolute(dir)).toBe(false);
      expect(path.normalize(dir)).toBe(dir);
      expect(dir.startsWith('..')).toBe(false);
    }
    expect(typeof adapter.command).toBe('function');
    expect(typeof adapter.parseLine).toBe('function');
  });

  it('puts the prompt on stdin and never secrets in argv', () => {
    const env = {
      AGENTS_HARNESS_MODEL: 'provider/model-x',
      GITHUB_TOKEN: 'ghs_secret',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      OPENAI_API_KEY: 'sk-secret',
    };
    const cmd = adapter.command({ prompt: PROMPT, workdir: WORKDIR, env });
    expect(cmd.stdin).toBe(PROMPT);
    const argv = [cmd.file, ...cmd.args].join('\0');
    expect(argv).not.toContain('secret');
    expect(argv).not.toContain('Add a subtract function');
    if (name === 'opencode') {
      // Its configuration names the model (as agents/<model>; see prepare.test.js).
      expect(cmd.args).not.toContain('--model');
    } else {
      expect(cmd.args).toEqual(expect.arrayContaining(['--model', 'provider/model-x']));
    }
    for (const arg of cmd.args) expect(typeof arg).toBe('string');
  });

  it('adds options from AGENTS_HARNESS_ARGS (a JSON array) and refuses anything else', () => {
    const cmd = adapter.command({ prompt: 'x', workdir: WORKDIR, env: { AGENTS_HARNESS_ARGS: '["--foo","bar baz"]' } });
    expect(cmd.args).toEqual(expect.arrayContaining(['--foo', 'bar baz']));
    expect(() => adapter.command({ prompt: 'x', env: { AGENTS_HARNESS_ARGS: '--foo bar' } })).toThrow(/JSON array/);
    expect(() => adapter.command({ prompt: 'x', env: { AGENTS_HARNESS_ARGS: '[1]' } })).toThrow(/JSON array/);
    expect(() => adapter.command({ prompt: 'x', env: { AGENTS_HARNESS_MODEL: 'a b' } })).toThrow(/model name/);
    expect(() => adapter.command({ prompt: 'x', env: { AGENTS_HARNESS_MODEL: '--x' } })).toThrow(/model name/);
  });

  it('refuses a session id that could be read as an option', () => {
    for (const bad of ['--help', 'a b', 'x;rm -rf /', '../../etc', 42]) {
      expect(() => adapter.command({ prompt: 'x', harnessSessionId: bad, env: {} })).toThrow(/session id/);
    }
    // No id (undefined, null or empty) is a first run.
    for (const none of [undefined, null, '']) {
      expect(adapter.command({ prompt: 'x', harnessSessionId: none, env: {} })).toEqual(adapter.command({ prompt: 'x', env: {} }));
    }
  });

  it('never throws on garbage and returns the line as log', () => {
    const samples = [
      'plain text from the CLI',
      '',
      '   ',
      '{"broken',
      '[1,2,3]',
      'null',
      '42',
      '"a string"',
      '{}',
      '{"type":null}',
      '{"type":"text","part":null}',
      '{"type":"tool_use","part":{"state":"weird"}}',
      '{"type":"assistant","message":{"content":"not an array"}}',
      '{"type":"item.completed","item":{"type":"file_change","changes":[null,{"path":7}]}}',
      '{"type":"result","errors":"x","subtype":5}',
      'x'.repeat(100_000),
    ];
    for (const line of samples) {
      const out = adapter.parseLine(line);
      expect(Array.isArray(out.log)).toBe(true);
      for (const l of out.log) {
        expect(typeof l).toBe('string');
        expect(l.length).toBeLessThanOrEqual(400);
      }
    }
    expect(adapter.parseLine('plain text from the CLI').log).toEqual(['plain text from the CLI']);
    expect(adapter.parseLine(undefined).log).toEqual([]);
    for (let i = 0; i < 300; i++) {
      const bytes = crypto.randomBytes(1 + (i % 40));
      expect(() => adapter.parseLine(bytes.toString('latin1'))).not.toThrow();
      const obj = { type: ['text', 'tool_use', 'assistant', 'result', 'item.completed', 'error', 'system'][i % 7] };
      obj[['part', 'message', 'item', 'error', 'usage'][i % 5]] = [null, 1, 'x', [], { content: [null] }][i % 5];
      expect(() => adapter.parseLine(JSON.stringify(obj))).not.toThrow();
    }
  });
});

describe('opencode', () => {
  it('builds `opencode run --format json` and adds --session to resume', () => {
    expect(opencode.command({ prompt: PROMPT, workdir: WORKDIR, env: {} })).toEqual({
      file: 'opencode',
      args: ['run', '--format', 'json'],
      stdin: PROMPT,
    });
    expect(
      opencode.command({ prompt: 'more', workdir: WORKDIR, harnessSessionId: 'ses_4f9a1c2e3ffeAbCdEfGhIjKlMn', env: {} }).args,
    ).toEqual(['run', '--format', 'json', '--session', 'ses_4f9a1c2e3ffeAbCdEfGhIjKlMn']);
    expect(opencode.stateDirectories).toEqual(['.local/share/opencode']);
  });

  it('reads its JSON events', () => {
    const sid = 'ses_44f9562d4ffeXyZ0123456789a';
    const ev = (type, data) => JSON.stringify({ type, timestamp: 1768191337567, sessionID: sid, ...data });
    expect(opencode.parseLine(ev('step_start', { part: { type: 'step-start', snapshot: 'abc' } }))).toEqual({
      log: [],
      sessionId: sid,
    });
    expect(
      opencode.parseLine(
        ev('tool_use', {
          part: {
            type: 'tool',
            tool: 'edit',
            callID: 'call_1',
            state: { status: 'completed', input: { filePath: '/workspace/repo/src/math.ts', oldString: 'a', newString: 'b' }, output: '', title: 'src/math.ts' },
          },
        }),
        { workdir: WORKDIR },
      ),
    ).toEqual({ log: ['[tool] edit src/math.ts'], sessionId: sid });
    expect(
      opencode.parseLine(ev('tool_use', { part: { type: 'tool', tool: 'bash', state: { status: 'completed', input: { command: 'yarn test\necho done' } } } })).log,
    ).toEqual(['[tool] bash yarn test']);
    expect(
      opencode.parseLine(ev('tool_use', { part: { type: 'tool', tool: 'bash', state: { status: 'error', input: { command: 'make' }, error: 'exit 2\nmore' } } })).log,
    ).toEqual(['[tool] bash make failed: exit 2']);
    expect(
      opencode.parseLine(ev('text', { part: { type: 'text', text: 'Added subtract().\nTests pass.', time: { start: 1, end: 2 } } })),
    ).toEqual({
      log: ['[assistant] Added subtract().', '[assistant] Tests pass.'],
      sessionId: sid,
      summary: 'Added subtract().\nTests pass.',
    });
    expect(
      opencode.parseLine(ev('step_finish', { part: { type: 'step-finish', reason: 'stop', cost: 0.01, tokens: { input: 17509, output: 3, reasoning: 0, cache: { read: 0, write: 0 } } } })),
    ).toEqual({ log: ['[usage] 17509 in / 3 out tokens'], sessionId: sid, usage: { inputTokens: 17509, outputTokens: 3 } });
    // Cached input and reasoning are tokens too: OpenCode reports them apart.
    expect(
      opencode.parseLine(ev('step_finish', { part: { type: 'step-finish', tokens: { total: 180, input: 100, output: 20, reasoning: 10, cache: { read: 40, write: 10 } } } })).usage,
    ).toEqual({ inputTokens: 150, outputTokens: 30 });
    expect(opencode.parseLine(ev('step_finish', { part: { type: 'step-finish', reason: 'stop' } })).usage).toBeUndefined();
    expect(opencode.parseLine(ev('step_finish', { part: { tokens: { input: 'x', output: -5 } } })).usage).toBeUndefined();
    expect(opencode.parseLine(ev('error', { error: { name: 'ProviderAuthError', data: { providerID: 'anthropic', message: 'Invalid API key' } } }))).toEqual({
      log: ['[error] Invalid API key'],
      sessionId: sid,
      error: 'Invalid API key',
    });
    expect(opencode.parseLine(ev('error', { error: { name: 'UnknownError' } })).error).toBe('UnknownError');
    // A provider error, as OpenCode 1.x prints it.
    const apiError = { name: 'APIError', data: { message: 'fake-llm: scripted failure (HTTP 400)', statusCode: 400, isRetryable: false, responseBody: '{}' } };
    expect(opencode.parseLine(ev('error', { error: apiError })).error).toBe('fake-llm: scripted failure (HTTP 400)');
  });

  it('cuts long text to a readable number of lines', () => {
    const text = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const out = opencode.parseLine(JSON.stringify({ type: 'text', sessionID: 's', part: { type: 'text', text } }));
    expect(out.log).toHaveLength(21);
    expect(out.log[20]).toBe('[assistant] … (10 more lines)');
    expect(out.summary).toBe(text);
  });
});

describe('claude-code', () => {
  it('builds `claude -p --output-format stream-json --verbose` and adds --resume to resume', () => {
    const base = ['-p', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];
    expect(claude.command({ prompt: PROMPT, workdir: WORKDIR, env: {} })).toEqual({ file: 'claude', args: base, stdin: PROMPT });
    const id = '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
    expect(claude.command({ prompt: 'more', workdir: WORKDIR, harnessSessionId: id, env: {} }).args).toEqual([...base, '--resume', id]);
    expect(claude.stateDirectories).toEqual(['.claude/projects', '.claude/todos']);
  });

  it('names project directories as Claude Code does', () => {
    expect(claude.projectDirName('/workspace/repo')).toBe('-workspace-repo');
    expect(claude.projectDirName('/home/jane_doe/my.app v2')).toBe('-home-jane-doe-my-app-v2');
  });

  it('reads its stream-json messages', () => {
    const sid = '9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f';
    const init = {
      type: 'system',
      subtype: 'init',
      cwd: WORKDIR,
      session_id: sid,
      tools: ['Bash', 'Edit'],
      mcp_servers: [],
      model: 'claude-sonnet-4-5',
      permissionMode: 'bypassPermissions',
      apiKeySource: 'ANTHROPIC_API_KEY',
      uuid: 'u1',
    };
    expect(claude.parseLine(JSON.stringify(init))).toEqual({
      log: [`[session] claude-code ${sid} (claude-sonnet-4-5)`],
      sessionId: sid,
    });
    const assistant = {
      type: 'assistant',
      message: {
        id: 'msg_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [
          { type: 'text', text: "I'll add the function." },
          { type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { file_path: '/workspace/repo/src/math.ts', old_string: 'a', new_string: 'b' } },
          { type: 'tool_use', id: 'toolu_2', name: 'Bash', input: { command: 'yarn test', description: 'Run tests' } },
          { type: 'tool_use', id: 'toolu_3', name: 'TodoWrite', input: { todos: [{}, {}] } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 10, output_tokens: 5 },
      },
      parent_tool_use_id: null,
      session_id: sid,
      uuid: 'u2',
    };
    expect(claude.parseLine(JSON.stringify(assistant), { workdir: WORKDIR })).toEqual({
      log: ["[assistant] I'll add the function.", '[tool] edit src/math.ts', '[tool] bash yarn test', '[tool] todowrite 2 todo(s)'],
      sessionId: sid,
      summary: "I'll add the function.",
    });
    const toolError = {
      type: 'user',
      message: { role: 'user', content: [{ tool_use_id: 'toolu_2', type: 'tool_result', content: 'Exit code 1\nFAIL math.test.ts', is_error: true }] },
      session_id: sid,
    };
    expect(claude.parseLine(JSON.stringify(toolError)).log).toEqual(['[tool] error: Exit code 1']);
    const ok = { ...toolError, message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'ok' }] }] } };
    expect(claude.parseLine(JSON.stringify(ok)).log).toEqual([]);
    const result = {
      type: 'result',
      subtype: 'success',
      is_error: false,
      duration_ms: 12345,
      duration_api_ms: 9000,
      num_turns: 4,
      result: 'Added subtract() with tests.',
      session_id: sid,
      total_cost_usd: 0.0421,
      usage: {},
      permission_denials: [],
      uuid: 'u3',
    };
    expect(claude.parseLine(JSON.stringify(result))).toEqual({
      log: ['[result] success · 4 turn(s) · 12.3 s · $0.0421'],
      sessionId: sid,
      summary: 'Added subtract() with tests.',
    });
    // The result's usage is the run's total; cache reads and writes are input too.
    const usage = {
      input_tokens: 24740,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2000,
      output_tokens: 44,
      output_tokens_details: { thinking_tokens: 0 },
      server_tool_use: { web_search_requests: 0 },
    };
    expect(claude.parseLine(JSON.stringify({ ...result, usage })).usage).toEqual({ inputTokens: 26840, outputTokens: 44 });
    // Assistant messages carry per-request usage, repeated per content block: never counted.
    expect(claude.parseLine(JSON.stringify({ ...assistant, message: { ...assistant.message, usage } })).usage).toBeUndefined();
  });

  it('reports error results', () => {
    const sid = 's-1';
    const maxTurns = { type: 'result', subtype: 'error_max_turns', is_error: false, num_turns: 50, session_id: sid };
    expect(claude.parseLine(JSON.stringify(maxTurns))).toMatchObject({ error: 'error_max_turns', sessionId: sid });
    const apiError = { type: 'result', subtype: 'success', is_error: true, result: 'API Error: 401 invalid x-api-key', session_id: sid };
    expect(claude.parseLine(JSON.stringify(apiError))).toMatchObject({ error: 'API Error: 401 invalid x-api-key' });
    const during = { type: 'result', subtype: 'error_during_execution', is_error: true, errors: ['boom'], session_id: sid };
    expect(claude.parseLine(JSON.stringify(during)).log).toEqual(['[result] error_during_execution', '[error] boom']);
    const rateLimited = { type: 'assistant', message: { content: [{ type: 'text', text: 'Please try again later.' }] }, error: 'rate_limit', session_id: sid };
    expect(claude.parseLine(JSON.stringify(rateLimited))).toMatchObject({ error: 'rate_limit' });
  });
});

describe('codex', () => {
  it('builds `codex exec --json … -` and `codex exec … resume <id> -`', () => {
    // Approvals and sandbox are off in config.toml (prepare.test.js), as measured.
    const base = ['exec', '--json', '--skip-git-repo-check'];
    expect(codex.command({ prompt: PROMPT, workdir: WORKDIR, env: {} })).toEqual({ file: 'codex', args: [...base, '-'], stdin: PROMPT });
    const id = '0199a213-81c0-7800-8aa1-bbab2a035a53';
    expect(codex.command({ prompt: 'more', workdir: WORKDIR, harnessSessionId: id, env: { AGENTS_HARNESS_MODEL: 'gpt-5.5' } }).args).toEqual([
      ...base,
      '--model',
      'gpt-5.5',
      'resume',
      id,
      '-',
    ]);
    expect(codex.stateDirectories).toEqual(['.codex/sessions']);
  });

  it('reads its JSONL events', () => {
    const id = '0199a213-81c0-7800-8aa1-bbab2a035a53';
    expect(codex.parseLine(JSON.stringify({ type: 'thread.started', thread_id: id }))).toEqual({
      log: [`[session] codex ${id}`],
      sessionId: id,
    });
    expect(codex.parseLine('{"type":"turn.started"}')).toEqual({ log: [] });
    const cmd = { id: 'item_1', type: 'command_execution', command: 'bash -lc "yarn test"', aggregated_output: '', exit_code: null, status: 'in_progress' };
    expect(codex.parseLine(JSON.stringify({ type: 'item.started', item: cmd })).log).toEqual(['[tool] bash bash -lc "yarn test"']);
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { ...cmd, exit_code: 0, status: 'completed' } })).log).toEqual([]);
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { ...cmd, exit_code: 1, status: 'failed' } })).log).toEqual([
      '[tool] bash bash -lc "yarn test" (exit 1)',
    ]);
    const change = {
      type: 'item.completed',
      item: { id: 'item_2', type: 'file_change', changes: [{ path: '/workspace/repo/src/math.ts', kind: 'update' }, { path: 'src/math.test.ts', kind: 'add' }], status: 'completed' },
    };
    expect(codex.parseLine(JSON.stringify(change), { workdir: WORKDIR }).log).toEqual(['[tool] edit src/math.ts', '[tool] add src/math.test.ts']);
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { id: 'item_3', type: 'reasoning', text: '**Planning**\nthen' } })).log).toEqual([
      '[thinking] **Planning**',
    ]);
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { id: 'item_4', type: 'agent_message', text: 'Added subtract().' } }))).toEqual({
      log: ['[assistant] Added subtract().'],
      summary: 'Added subtract().',
    });
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { id: 'item_5', type: 'todo_list', items: [{ text: 'a', completed: true }, { text: 'b', completed: false }] } })).log).toEqual([
      '[plan] 1/2 done',
    ]);
    expect(codex.parseLine(JSON.stringify({ type: 'item.completed', item: { id: 'item_6', type: 'error', message: 'tool output truncated' } })).log).toEqual([
      '[warning] tool output truncated',
    ]);
    expect(codex.parseLine(JSON.stringify({ type: 'turn.completed', usage: { input_tokens: 24763, cached_input_tokens: 24448, output_tokens: 122 } }))).toEqual({
      log: ['[usage] 24763 in (24448 cached) / 122 out tokens'],
      // cached_input_tokens is part of input_tokens.
      usage: { inputTokens: 24763, outputTokens: 122 },
    });
    expect(codex.parseLine('{"type":"turn.completed"}')).toEqual({ log: ['[usage] 0 in (0 cached) / 0 out tokens'] });
    // A provider error arrives as the provider's whole error body: its message is what counts.
    const body = JSON.stringify({ error: { message: 'fake-llm: scripted failure (HTTP 400)', type: 'invalid_request_error', param: null, code: null } });
    expect(codex.parseLine(JSON.stringify({ type: 'turn.failed', error: { message: body } }))).toEqual({
      log: ['[error] fake-llm: scripted failure (HTTP 400)'],
      error: 'fake-llm: scripted failure (HTTP 400)',
    });
    expect(codex.parseLine(JSON.stringify({ type: 'turn.failed', error: { message: 'stream disconnected' } }))).toEqual({
      log: ['[error] stream disconnected'],
      error: 'stream disconnected',
    });
    expect(codex.parseLine(JSON.stringify({ type: 'error', message: 'Reconnecting... 1/5' }))).toMatchObject({ error: 'Reconnecting... 1/5' });
  });
});
