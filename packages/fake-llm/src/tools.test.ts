import { ToolSpec } from './conversation';
import { fileEditTool, shellQuote, shellTool, writeFileTool } from './tools';
import { CODEX_LIKE_TOOLS, OPENCODE_LIKE_TOOLS } from './__testUtils__/streams';

const CLAUDE_LIKE_TOOLS: ToolSpec[] = [
  {
    name: 'Bash',
    parameters: {
      type: 'object',
      properties: { command: { type: 'string' }, timeout: { type: 'number' } },
      required: ['command'],
    },
  },
  {
    name: 'Write',
    parameters: {
      type: 'object',
      properties: {
        file_path: {
          type: 'string',
          description: 'The absolute path to the file to write',
        },
        content: { type: 'string' },
      },
      required: ['file_path', 'content'],
    },
  },
];

describe('writeFileTool', () => {
  it('finds the write tool by its schema and makes the path absolute when the tool asks', () => {
    expect(
      writeFileTool(
        OPENCODE_LIKE_TOOLS,
        { path: 'a.txt', content: 'x' },
        '/repo',
      ),
    ).toEqual({
      name: 'write',
      arguments: { filePath: '/repo/a.txt', content: 'x' },
    });
    expect(
      writeFileTool(CLAUDE_LIKE_TOOLS, { path: 'a.txt', content: 'x' }, '/w'),
    ).toEqual({
      name: 'Write',
      arguments: { file_path: '/w/a.txt', content: 'x' },
    });
  });

  it('keeps a relative path when the working directory is unknown', () => {
    expect(
      writeFileTool(OPENCODE_LIKE_TOOLS, { path: 'a.txt', content: 'x' })
        ?.arguments,
    ).toEqual({ filePath: 'a.txt', content: 'x' });
  });

  it('does not take an edit tool (old/new strings) for a write tool', () => {
    const editOnly = OPENCODE_LIKE_TOOLS.filter(t => t.name === 'edit');
    expect(
      writeFileTool(editOnly, { path: 'a', content: 'b' }),
    ).toBeUndefined();
  });
});

describe('shellTool', () => {
  it('fills a string command, whatever the argument is called', () => {
    expect(shellTool(CODEX_LIKE_TOOLS, 'ls')).toEqual({
      name: 'exec_command',
      arguments: { cmd: 'ls' },
    });
    expect(shellTool(CLAUDE_LIKE_TOOLS, 'ls')).toEqual({
      name: 'Bash',
      arguments: { command: 'ls' },
    });
  });

  it('passes an argv array when the schema wants one', () => {
    const tools: ToolSpec[] = [
      {
        name: 'shell',
        parameters: {
          type: 'object',
          properties: { command: { type: 'array', items: { type: 'string' } } },
          required: ['command'],
        },
      },
    ];
    expect(shellTool(tools, 'echo hi')?.arguments).toEqual({
      command: ['bash', '-lc', 'echo hi'],
    });
  });

  it('skips tools with required arguments it cannot fill', () => {
    const tools: ToolSpec[] = [
      {
        name: 'bash',
        parameters: {
          properties: {
            command: { type: 'string' },
            reason: { type: 'string' },
          },
          required: ['command', 'reason'],
        },
      },
    ];
    expect(shellTool(tools, 'ls')).toBeUndefined();
  });
});

describe('fileEditTool', () => {
  it('falls back to a shell command that writes the file', () => {
    const call = fileEditTool(CODEX_LIKE_TOOLS, {
      path: "it's.txt",
      content: 'a\n',
    });
    expect(call).toEqual({
      name: 'exec_command',
      arguments: { cmd: `printf '%s' 'a\n' > ${shellQuote("it's.txt")}` },
    });
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
