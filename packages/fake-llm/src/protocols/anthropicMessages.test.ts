import { anthropicMessages, countTokensResponse } from './anthropicMessages';
import { RenderInput } from './protocol';
import { payloads, roundTrip } from '../__testUtils__/streams';

const body = {
  model: 'claude-x',
  stream: true,
  system: [{ type: 'text', text: 'You are Claude Code.' }],
  tools: [
    {
      name: 'Write',
      input_schema: {
        type: 'object',
        properties: {
          file_path: { type: 'string' },
          content: { type: 'string' },
        },
        required: ['file_path', 'content'],
      },
    },
    { type: 'web_search_20250305', name: 'web_search' },
  ],
  messages: [
    {
      role: 'user',
      content: [
        {
          type: 'text',
          text: '<system-reminder>\ncontext\n</system-reminder>',
        },
        { type: 'text', text: 'Write it [llm:edit]' },
      ],
    },
    {
      role: 'system',
      content: [
        { type: 'text', text: ' - Primary working directory: /w/repo\n' },
      ],
    },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'Write', input: {} }],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 't1',
          content: [{ type: 'text', text: 'File created' }],
        },
        { type: 'text', text: '<system-reminder>x</system-reminder>' },
      ],
    },
  ],
};

function input(reply: RenderInput['reply']): RenderInput {
  return {
    body,
    reply,
    usage: { inputTokens: 50, outputTokens: 9 },
    seq: 4,
    created: 1,
  };
}

describe('Anthropic Messages', () => {
  it('reads prompts without context blocks, counts tool results and finds the cwd', () => {
    const conversation = anthropicMessages.readConversation(body);
    expect(conversation.prompts).toEqual(['Write it [llm:edit]']);
    expect(conversation.toolResultsSinceLastPrompt).toBe(1);
    expect(conversation.lastToolOutputs).toEqual(['File created']);
    expect(conversation.cwd).toBe('/w/repo');
    expect(conversation.tools).toEqual([
      expect.objectContaining({
        name: 'Write',
        parameters: expect.objectContaining({ type: 'object' }),
      }),
      { name: 'web_search', description: undefined, parameters: undefined },
    ]);
  });

  it('streams named events: a text block, then a tool_use block whose input adds up', () => {
    const events = roundTrip(
      anthropicMessages.streamFrames(
        input({
          kind: 'tool',
          text: 'I will write.',
          call: {
            id: 'fake_2',
            name: 'Write',
            arguments: { file_path: '/w/a', content: 'x' },
          },
        }),
      ),
    );
    const data = payloads(events);
    expect(events.every((e, i) => e.event === data[i].type)).toBe(true);
    expect(events.map(e => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      ...Array(3).fill('content_block_delta'),
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(data[0].message).toMatchObject({
      id: 'msg_fake_4',
      role: 'assistant',
      model: 'claude-x',
      usage: { input_tokens: 50, output_tokens: 1 },
    });
    const text = data
      .filter(d => d.type === 'content_block_delta' && d.index === 0)
      .map(d => d.delta.text)
      .join('');
    expect(text).toBe('I will write.');
    expect(
      data.find(d => d.type === 'content_block_start' && d.index === 1)!
        .content_block,
    ).toEqual({
      type: 'tool_use',
      id: 'toolu_fake_2',
      name: 'Write',
      input: {},
    });
    const json = data
      .filter(d => d.type === 'content_block_delta' && d.index === 1)
      .map(d => d.delta.partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ file_path: '/w/a', content: 'x' });
    expect(data.find(d => d.type === 'message_delta')).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 9 },
    });
  });

  it('ends a text answer with end_turn, and answers non-streaming requests whole', () => {
    const data = payloads(
      roundTrip(
        anthropicMessages.streamFrames(input({ kind: 'text', text: 'Done.' })),
      ),
    );
    expect(data.find(d => d.type === 'message_delta')!.delta.stop_reason).toBe(
      'end_turn',
    );
    expect(
      anthropicMessages.jsonResponse(input({ kind: 'text', text: 'Done.' })),
    ).toEqual({
      id: 'msg_fake_4',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [{ type: 'text', text: 'Done.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 50,
        output_tokens: 9,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    });
  });

  it('uses Anthropic error types and counts tokens deterministically', () => {
    expect(anthropicMessages.errorBody(400, 'bad')).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'bad' },
    });
    expect(anthropicMessages.errorBody(529, 'busy')).toMatchObject({
      error: { type: 'overloaded_error' },
    });
    expect(anthropicMessages.errorBody(502, 'x')).toMatchObject({
      error: { type: 'api_error' },
    });
    const counted = countTokensResponse({
      model: 'a',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(counted).toEqual(
      countTokensResponse({
        model: 'b',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    // {"messages":[{"role":"user","content":"hi"}]} is 45 characters: 12 tokens.
    expect(counted).toEqual({ input_tokens: 12 });
  });
});
