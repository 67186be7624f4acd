import { chatCompletions } from './chatCompletions';
import { RenderInput } from './protocol';
import {
  OPENCODE_LIKE_TOOLS,
  payloads,
  roundTrip,
} from '../__testUtils__/streams';

const body = {
  model: 'fake-model',
  stream: true,
  stream_options: { include_usage: true },
  tools: OPENCODE_LIKE_TOOLS.map(t => ({ type: 'function', function: t })),
  messages: [
    { role: 'system', content: '<env>\n  Working directory: /repo\n</env>' },
    { role: 'user', content: [{ type: 'text', text: 'first [llm:edit]' }] },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function' }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'Wrote file successfully.' },
    { role: 'assistant', content: 'Done.' },
    { role: 'user', content: 'second' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c2', type: 'function' }],
    },
    { role: 'tool', tool_call_id: 'c2', content: 'ok' },
  ],
};

function input(reply: RenderInput['reply'], b: unknown = body): RenderInput {
  return {
    body: b,
    reply,
    usage: { inputTokens: 100, outputTokens: 7 },
    seq: 3,
    created: 1,
  };
}

describe('chat completions', () => {
  it('reads tools, prompts, the tool results since the last prompt and the cwd', () => {
    const conversation = chatCompletions.readConversation(body);
    expect(conversation.tools.map(t => t.name)).toEqual([
      'bash',
      'edit',
      'write',
    ]);
    expect(conversation.prompts).toEqual(['first [llm:edit]', 'second']);
    expect(conversation.toolResultsSinceLastPrompt).toBe(1);
    expect(conversation.lastToolOutputs).toEqual(['ok']);
    expect(conversation.cwd).toBe('/repo');
  });

  it('streams a tool call as chunks that add up to the call, then usage and [DONE]', () => {
    const events = roundTrip(
      chatCompletions.streamFrames(
        input({
          kind: 'tool',
          text: 'Writing.',
          call: {
            id: 'fake_1',
            name: 'write',
            arguments: { filePath: '/repo/a', content: 'x' },
          },
        }),
      ),
    );
    expect(events.at(-1)?.data).toBe('[DONE]');
    expect(events.every(e => e.event === undefined)).toBe(true);
    const chunks = payloads(events);
    expect(
      chunks.every(
        c => c.object === 'chat.completion.chunk' && c.id === 'chatcmpl-fake-3',
      ),
    ).toBe(true);
    const deltas = chunks.flatMap(c =>
      c.choices.map((choice: any) => choice.delta),
    );
    expect(deltas[0]).toEqual({ role: 'assistant', content: '' });
    expect(deltas.map(d => d.content ?? '').join('')).toBe('Writing.');
    const toolDeltas = deltas.flatMap(d => d.tool_calls ?? []);
    expect(toolDeltas[0]).toMatchObject({
      index: 0,
      id: 'call_fake_1',
      type: 'function',
      function: { name: 'write' },
    });
    const args = toolDeltas.map(t => t.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ filePath: '/repo/a', content: 'x' });
    const finish = chunks
      .flatMap(c => c.choices)
      .find((c: any) => c.finish_reason);
    expect(finish.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 100, completion_tokens: 7, total_tokens: 107 },
    });
  });

  it('leaves usage out unless the request asks for it, and stops a text answer with stop', () => {
    const chunks = payloads(
      roundTrip(
        chatCompletions.streamFrames(
          input(
            { kind: 'text', text: 'Hello there' },
            { ...body, stream_options: undefined },
          ),
        ),
      ),
    );
    expect(chunks.some(c => c.usage)).toBe(false);
    expect(chunks.map(c => c.choices[0]?.delta?.content ?? '').join('')).toBe(
      'Hello there',
    );
    expect(chunks.at(-1)?.choices[0].finish_reason).toBe('stop');
  });

  it('puts the slow delay on text chunks only', () => {
    const frames = chatCompletions.streamFrames(
      input({ kind: 'text', text: 'a b c', chunkDelayMs: 50 }),
    );
    expect(frames.filter(f => f.delayMs === 50)).toHaveLength(3);
  });

  it('answers non-streaming requests with one completion and OpenAI errors', () => {
    expect(
      chatCompletions.jsonResponse(
        input({
          kind: 'tool',
          call: { id: 'f', name: 'bash', arguments: { command: 'ls' } },
        }),
      ),
    ).toMatchObject({
      object: 'chat.completion',
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            tool_calls: [
              {
                id: 'call_f',
                function: { name: 'bash', arguments: '{"command":"ls"}' },
              },
            ],
          },
        },
      ],
      usage: { total_tokens: 107 },
    });
    expect(chatCompletions.errorBody(500, 'boom')).toEqual({
      error: { message: 'boom', type: 'server_error', param: null, code: null },
    });
  });
});
