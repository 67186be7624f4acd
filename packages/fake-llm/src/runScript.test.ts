import { Conversation } from './conversation';
import { findShellBlock, RUN_REPORT_LINES } from './runScript';
import { defaultScripts, playScript } from './scripts';
import { CODEX_LIKE_TOOLS, OPENCODE_LIKE_TOOLS } from './__testUtils__/streams';

const TEMPLATE = [
  'Hand the tasks to the agents. [llm:run]',
  '',
  '```bash',
  'backstage-agents implement "specs/001-ledger/tasks.md" \\',
  '  --entity component:default/ledger --detach',
  '```',
  '',
  'Then report.',
].join('\n');

function play(overrides: Partial<Conversation>) {
  let ids = 0;
  return playScript(
    {
      tools: OPENCODE_LIKE_TOOLS,
      prompts: [TEMPLATE],
      toolResultsSinceLastPrompt: 0,
      lastToolOutputs: [],
      cwd: '/repo',
      ...overrides,
    },
    defaultScripts,
    () => `id${++ids}`,
  );
}

describe('findShellBlock', () => {
  it('takes the first bash, sh or shell block, whole, without its fences', () => {
    expect(findShellBlock(TEMPLATE)).toBe(
      'backstage-agents implement "specs/001-ledger/tasks.md" \\\n  --entity component:default/ledger --detach',
    );
    expect(
      findShellBlock(
        '```text\nnot this\n```\n\n~~~sh title="x"\necho one\necho two\n~~~\n```bash\necho later\n```',
      ),
    ).toBe('echo one\necho two');
  });

  it('skips blocks in other languages, empty blocks and unclosed fences', () => {
    expect(findShellBlock('```ts\nconst a = 1;\n```')).toBeUndefined();
    expect(findShellBlock('```bash\n\n```')).toBeUndefined();
    expect(findShellBlock('```bash\necho never closed')).toBeUndefined();
    expect(findShellBlock('no block at all')).toBeUndefined();
  });

  it('ends a block at its own closing fence, not at a later block after a blank line', () => {
    expect(
      findShellBlock(
        'Run:\n\n```bash\necho first\n```\n\nThen, only if asked:\n\n```\necho second\n```\n',
      ),
    ).toBe('echo first');
  });

  it('keeps a longer fence open across shorter ones inside it', () => {
    expect(findShellBlock('````bash\ncat <<EOF\n```\nEOF\n````')).toBe(
      'cat <<EOF\n```\nEOF',
    );
  });
});

describe('the run script', () => {
  it('runs the block with the shell tool, the whole block as one command', () => {
    const { scenario, reply } = play({});
    expect(scenario).toBe('run');
    expect(reply).toEqual({
      kind: 'tool',
      text: 'I will run the command from the prompt.',
      call: {
        id: 'id1',
        name: 'bash',
        arguments: { command: findShellBlock(TEMPLATE) },
      },
    });
  });

  it("uses whatever shell tool the agent offers (Codex's exec_command)", () => {
    const reply = play({ tools: CODEX_LIKE_TOOLS }).reply;
    expect(reply).toMatchObject({
      kind: 'tool',
      call: {
        name: 'exec_command',
        arguments: { cmd: findShellBlock(TEMPLATE) },
      },
    });
  });

  it('then reports, quoting the last lines the command printed', () => {
    const printed = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const reply = play({
      toolResultsSinceLastPrompt: 1,
      lastToolOutputs: [`${printed.join('\n')}\n\n`],
    }).reply;
    expect(reply.kind).toBe('text');
    const text = reply.kind === 'text' ? reply.text : '';
    expect(text).toContain('backstage-agents implement "specs/001-ledger');
    expect(text).toContain(
      `\`\`\`\n${printed.slice(-RUN_REPORT_LINES).join('\n')}\n\`\`\``,
    );
    expect(text).not.toContain('line 10\n');
  });

  it('quotes as many lines as the marker asks for', () => {
    const reply = play({
      prompts: [TEMPLATE.replace('[llm:run]', '[llm:run:2]')],
      toolResultsSinceLastPrompt: 1,
      lastToolOutputs: ['a\nb\nc'],
    }).reply;
    expect(reply.kind === 'text' && reply.text).toContain('```\nb\nc\n```');
  });

  it('says so when the command printed nothing', () => {
    const reply = play({
      toolResultsSinceLastPrompt: 1,
      lastToolOutputs: [''],
    }).reply;
    expect(reply.kind === 'text' && reply.text).toContain('(no output)');
  });

  it('answers in text when there is no block, no shell tool, or no tool at all', () => {
    expect(play({ prompts: ['Just talk [llm:run]'] }).reply).toEqual({
      kind: 'text',
      text: 'There is no fenced bash block in the prompt for me to run.',
    });
    const writeOnly = OPENCODE_LIKE_TOOLS.filter(t => t.name === 'write');
    expect(play({ tools: writeOnly }).reply).toMatchObject({
      kind: 'text',
      text: expect.stringContaining('No shell tool'),
    });
    // OpenCode's title generation.
    expect(play({ tools: [] }).reply).toEqual({
      kind: 'text',
      text: 'Run backstage-agents implement "specs/001-ledger/tasks.md" \\',
    });
  });
});
