import {
  Conversation,
  contentText,
  findCwd,
  isRecord,
  promptText,
  ToolSpec,
} from '../conversation';
import { jsonFrame, SseFrame, textChunks } from '../sse';
import {
  argumentPieces,
  Protocol,
  RenderInput,
  requestedModel,
} from './protocol';
import { openAiErrorBody } from './openAiError';

/**
 * OpenAI chat completions (`POST /v1/chat/completions`), what OpenCode speaks through an
 * `@ai-sdk/openai-compatible` provider: `messages` in, `chat.completion.chunk` events out, tool
 * calls as `delta.tool_calls`, usage in a last chunk when `stream_options.include_usage` asks.
 */

interface ChatMessage {
  role?: string;
  content?: unknown;
}

function messagesOf(body: unknown): ChatMessage[] {
  const messages = isRecord(body) ? body.messages : undefined;
  return Array.isArray(messages) ? messages.filter(isRecord) : [];
}

function toolsOf(body: unknown): ToolSpec[] {
  const tools = isRecord(body) && Array.isArray(body.tools) ? body.tools : [];
  return tools.flatMap(tool => {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (!isRecord(fn) || typeof fn.name !== 'string') return [];
    return [
      {
        name: fn.name,
        description:
          typeof fn.description === 'string' ? fn.description : undefined,
        parameters: isRecord(fn.parameters) ? fn.parameters : undefined,
      },
    ];
  });
}

function readConversation(body: unknown): Conversation {
  const messages = messagesOf(body);
  const prompts: string[] = [];
  let lastPrompt = -1;
  messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    const text = promptText(contentText(message.content));
    if (!text) return;
    prompts.push(text);
    lastPrompt = index;
  });
  const results = messages
    .slice(lastPrompt + 1)
    .filter(message => message.role === 'tool');
  return {
    tools: toolsOf(body),
    prompts,
    toolResultsSinceLastPrompt: results.length,
    lastToolOutputs: results.map(message => contentText(message.content)),
    cwd: findCwd(
      messages
        .filter(message => message.role === 'system')
        .map(message => contentText(message.content))
        .join('\n'),
      messages
        .filter(message => message.role !== 'system')
        .map(message => contentText(message.content)),
    ),
  };
}

function chunk(input: RenderInput, choice: Record<string, unknown>) {
  return {
    id: `chatcmpl-fake-${input.seq}`,
    object: 'chat.completion.chunk',
    created: input.created,
    model: requestedModel(input.body),
    choices: [{ index: 0, finish_reason: null, ...choice }],
  };
}

function usageOf(input: RenderInput) {
  const { inputTokens, outputTokens } = input.usage;
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
  };
}

function includeUsage(body: unknown): boolean {
  const options = isRecord(body) ? body.stream_options : undefined;
  return isRecord(options) && options.include_usage === true;
}

function streamFrames(input: RenderInput): SseFrame[] {
  const { reply } = input;
  const delay = reply.kind === 'text' ? reply.chunkDelayMs : undefined;
  const frames = [
    jsonFrame(chunk(input, { delta: { role: 'assistant', content: '' } })),
  ];
  const text = reply.text ?? '';
  for (const piece of textChunks(text)) {
    frames.push(
      jsonFrame(chunk(input, { delta: { content: piece } }), undefined, delay),
    );
  }
  if (reply.kind === 'tool') {
    const { id, name } = reply.call;
    frames.push(
      jsonFrame(
        chunk(input, {
          delta: {
            tool_calls: [
              {
                index: 0,
                id: `call_${id}`,
                type: 'function',
                function: { name, arguments: '' },
              },
            ],
          },
        }),
      ),
    );
    for (const piece of argumentPieces(JSON.stringify(reply.call.arguments))) {
      frames.push(
        jsonFrame(
          chunk(input, {
            delta: {
              tool_calls: [{ index: 0, function: { arguments: piece } }],
            },
          }),
        ),
      );
    }
  }
  frames.push(
    jsonFrame(
      chunk(input, {
        delta: {},
        finish_reason: reply.kind === 'tool' ? 'tool_calls' : 'stop',
      }),
    ),
  );
  if (includeUsage(input.body)) {
    frames.push(
      jsonFrame({ ...chunk(input, {}), choices: [], usage: usageOf(input) }),
    );
  }
  frames.push({ data: '[DONE]' });
  return frames;
}

function jsonResponse(input: RenderInput): unknown {
  const { reply } = input;
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: reply.text ?? null,
  };
  if (reply.kind === 'tool') {
    message.tool_calls = [
      {
        id: `call_${reply.call.id}`,
        type: 'function',
        function: {
          name: reply.call.name,
          arguments: JSON.stringify(reply.call.arguments),
        },
      },
    ];
  }
  return {
    id: `chatcmpl-fake-${input.seq}`,
    object: 'chat.completion',
    created: input.created,
    model: requestedModel(input.body),
    choices: [
      {
        index: 0,
        message,
        finish_reason: reply.kind === 'tool' ? 'tool_calls' : 'stop',
      },
    ],
    usage: usageOf(input),
  };
}

export const chatCompletions: Protocol = {
  name: 'chat-completions',
  readConversation,
  wantsStream: body => isRecord(body) && body.stream === true,
  streamFrames,
  jsonResponse,
  errorBody: openAiErrorBody,
};
