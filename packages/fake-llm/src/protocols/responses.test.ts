import { RenderInput } from './protocol';
import { responses } from './responses';
import {
  CODEX_LIKE_TOOLS,
  payloads,
  roundTrip,
} from '../__testUtils__/streams';

const body = {
  model: 'fake-model',
  stream: true,
  tools: [
    ...CODEX_LIKE_TOOLS.map(t => ({ type: 'function', ...t })),
    { type: 'custom', name: 'apply_patch', format: { type: 'grammar' } },
    { type: 'web_search' },
  ],
  input: [
    {
      type: 'message',
      role: 'developer',
      content: [{ type: 'input_text', text: 'You are Codex.' }],
    },
    {
      type: 'message',
      role: 'user',
      content: [
        {
          type: 'input_text',
          text: '<environment_context>\n  <cwd>/c/repo</cwd>\n</environment_context>',
        },
      ],
    },
    {
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'Change it [llm:edit]' }],
    },
    {
      type: 'function_call',
      call_id: 'call_1',
      name: 'exec_command',
      arguments: '{}',
    },
    {
      type: 'function_call_output',
      call_id: 'call_1',
      output: 'Process exited with code 0',
    },
  ],
};

function input(reply: RenderInput['reply']): RenderInput {
  return {
    body,
    reply,
    usage: { inputTokens: 20, outputTokens: 5 },
    seq: 7,
    created: 1,
  };
}

describe('Responses API', () => {
  it('reads function tools only, the prompt past the context messages, results and cwd', () => {
    const conversation = responses.readConversation(body);
    expect(conversation.tools.map(t => t.name)).toEqual([
      'exec_command',
      'view_image',
    ]);
    expect(conversation.prompts).toEqual(['Change it [llm:edit]']);
    expect(conversation.toolResultsSinceLastPrompt).toBe(1);
    expect(conversation.lastToolOutputs).toEqual([
      'Process exited with code 0',
    ]);
    expect(conversation.cwd).toBe('/c/repo');
    expect(
      responses.readConversation({ input: 'plain [llm:text]' }).prompts,
    ).toEqual(['plain [llm:text]']);
  });

  it('streams numbered response.* events: a message item, then a function_call item', () => {
    const events = roundTrip(
      responses.streamFrames(
        input({
          kind: 'tool',
          text: 'Running it.',
          call: {
            id: 'fake_3',
            name: 'exec_command',
            arguments: { cmd: 'ls -la' },
          },
        }),
      ),
    );
    const data = payloads(events);
    expect(events.every((e, i) => e.event === data[i].type)).toBe(true);
    expect(data.map(d => d.sequence_number)).toEqual(data.map((_, i) => i));
    expect(data[0]).toMatchObject({
      type: 'response.created',
      response: { id: 'resp_fake_7', status: 'in_progress' },
    });
    const text = data
      .filter(d => d.type === 'response.output_text.delta')
      .map(d => d.delta)
      .join('');
    expect(text).toBe('Running it.');
    const args = data
      .filter(d => d.type === 'response.function_call_arguments.delta')
      .map(d => d.delta)
      .join('');
    expect(JSON.parse(args)).toEqual({ cmd: 'ls -la' });
    const done = data
      .filter(d => d.type === 'response.output_item.done')
      .map(d => d.item);
    expect(done).toEqual([
      {
        id: 'msg_fake_7',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Running it.', annotations: [] },
        ],
      },
      {
        id: 'fc_fake_7',
        type: 'function_call',
        status: 'completed',
        call_id: 'call_fake_3',
        name: 'exec_command',
        arguments: '{"cmd":"ls -la"}',
      },
    ]);
    const completed = data.at(-1);
    expect(completed).toMatchObject({
      type: 'response.completed',
      response: {
        status: 'completed',
        output: done,
        usage: {
          input_tokens: 20,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: 5,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 25,
        },
      },
    });
  });

  it('answers a non-streaming request with the response object', () => {
    expect(
      responses.jsonResponse(input({ kind: 'text', text: 'Hi' })),
    ).toMatchObject({
      object: 'response',
      status: 'completed',
      output: [{ type: 'message', content: [{ text: 'Hi' }] }],
    });
  });
});
