import { Conversation, ToolSpec } from './conversation';
import {
  BLOCKED_HOST_URL,
  defaultScripts,
  editFileName,
  findMarker,
  playScript,
  SLOW_WORDS,
} from './scripts';
import { CODEX_LIKE_TOOLS, OPENCODE_LIKE_TOOLS } from './__testUtils__/streams';

function conversation(overrides: Partial<Conversation>): Conversation {
  return {
    tools: OPENCODE_LIKE_TOOLS,
    prompts: ['Fix the bug'],
    toolResultsSinceLastPrompt: 0,
    lastToolOutputs: [],
    cwd: '/repo',
    ...overrides,
  };
}

function play(overrides: Partial<Conversation>) {
  let ids = 0;
  return playScript(
    conversation(overrides),
    defaultScripts,
    () => `id${++ids}`,
  );
}

describe('findMarker', () => {
  it('takes the last marker of the latest prompt that has one', () => {
    expect(
      findMarker(['a [llm:fail]', 'b [llm:text] [llm:slow:10]', 'c']),
    ).toEqual({
      name: 'slow',
      argument: '10',
    });
    expect(findMarker(['nothing here'])).toBeUndefined();
  });
});

describe('playScript', () => {
  it('edits by default: the write tool first, then a final answer', () => {
    const first = play({});
    expect(first.scenario).toBe('edit');
    expect(first.reply).toMatchObject({
      kind: 'tool',
      call: {
        id: 'id1',
        name: 'write',
        arguments: {
          filePath: `/repo/${editFileName(1)}`,
          content: 'Edited by fake-llm for prompt 1: Fix the bug\n',
        },
      },
    });
    const second = play({ toolResultsSinceLastPrompt: 1 });
    expect(second.reply).toEqual({
      kind: 'text',
      text: `Done: wrote ${editFileName(1)}.`,
    });
  });

  it('numbers the file after the prompt, so a resumed turn writes a new file', () => {
    const reply = play({ prompts: ['first [llm:edit]', 'second'] }).reply;
    expect(reply.kind === 'tool' && reply.call.arguments.filePath).toBe(
      `/repo/${editFileName(2)}`,
    );
  });

  it('uses the shell tool where there is no write tool', () => {
    const reply = play({ tools: CODEX_LIKE_TOOLS }).reply;
    expect(reply).toMatchObject({
      kind: 'tool',
      call: { name: 'exec_command' },
    });
  });

  it('answers in text when the request offers no tools (title generation)', () => {
    expect(play({ tools: [] }).reply).toEqual({
      kind: 'text',
      text: 'fake-llm: Fix the bug',
    });
  });

  it('fails with 400 by default, or the status the marker names', () => {
    expect(play({ prompts: ['x [llm:fail]'] }).reply).toEqual({
      kind: 'error',
      status: 400,
      message: 'fake-llm: scripted failure (HTTP 400)',
    });
    expect(play({ prompts: ['x [llm:fail:503]'] }).reply).toMatchObject({
      status: 503,
    });
    expect(play({ prompts: ['x [llm:fail:abc]'] }).reply).toMatchObject({
      status: 400,
    });
  });

  it('slow: edits, then streams the answer word by word with a delay', () => {
    expect(play({ prompts: ['x [llm:slow]'] }).reply.kind).toBe('tool');
    const reply = play({
      prompts: ['x [llm:slow:40]'],
      toolResultsSinceLastPrompt: 1,
    }).reply;
    expect(reply).toMatchObject({ kind: 'text', chunkDelayMs: 40 });
    expect(reply.kind === 'text' && reply.text.split(' ')).toHaveLength(
      SLOW_WORDS,
    );
  });

  it('blocked-tool: asks the shell tool to reach a host outside the machine', () => {
    const tools: ToolSpec[] = CODEX_LIKE_TOOLS;
    const first = play({ prompts: ['x [llm:blocked-tool]'], tools }).reply;
    expect(first).toMatchObject({
      kind: 'tool',
      call: {
        name: 'exec_command',
        arguments: { cmd: expect.stringContaining(BLOCKED_HOST_URL) },
      },
    });
    const second = play({
      prompts: ['x [llm:blocked-tool]'],
      tools,
      toolResultsSinceLastPrompt: 1,
      lastToolOutputs: ['curl: (6) Could not resolve host: example.com'],
    }).reply;
    expect(second).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('curl: (6)'),
    });
    const local = play({
      prompts: ['x [llm:blocked-tool:http://127.0.0.1:4321/canary]'],
      tools,
    }).reply;
    expect(local).toMatchObject({
      call: {
        arguments: {
          cmd: 'curl -sS --max-time 10 http://127.0.0.1:4321/canary',
        },
      },
    });
  });

  it('falls back to the default for unknown markers and accepts custom scripts', () => {
    expect(play({ prompts: ['x [llm:nope]'] }).scenario).toBe('edit');
    const custom = playScript(
      conversation({ prompts: ['x [llm:hello]'] }),
      { ...defaultScripts, hello: () => ({ kind: 'text', text: 'hi' }) },
      () => 'id',
    );
    expect(custom).toEqual({
      scenario: 'hello',
      reply: { kind: 'text', text: 'hi' },
    });
  });
});
