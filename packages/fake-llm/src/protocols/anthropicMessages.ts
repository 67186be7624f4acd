import {
  Conversation,
  contentText,
  findCwd,
  isRecord,
  promptText,
  ToolSpec,
} from '../conversation';
import { jsonFrame, SseFrame, textChunks } from '../sse';
import { countTokens } from '../usage';
import {
  argumentPieces,
  Protocol,
  RenderInput,
  requestedModel,
} from './protocol';

/**
 * The Anthropic Messages API (`POST /v1/messages`), what Claude Code speaks to
 * `ANTHROPIC_BASE_URL`: `system` + `messages` in, named events out (`message_start`,
 * `content_block_*`, `message_delta`, `message_stop`), tool calls as `tool_use` blocks whose input
 * streams as `input_json_delta`, tool results coming back as `tool_result` blocks of user messages.
 */

interface Message {
  role?: string;
  content?: unknown;
}

function blocksOf(content: unknown): Record<string, unknown>[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isRecord) : [];
}

function toolsOf(body: unknown): ToolSpec[] {
  const tools = isRecord(body) && Array.isArray(body.tools) ? body.tools : [];
  return tools.flatMap(tool => {
    if (!isRecord(tool) || typeof tool.name !== 'string') return [];
    return [
      {
        name: tool.name,
        description:
          typeof tool.description === 'string' ? tool.description : undefined,
        // Server tools (web search and the like) carry a `type` and no input schema.
        parameters: isRecord(tool.input_schema) ? tool.input_schema : undefined,
      },
    ];
  });
}

function readConversation(body: unknown): Conversation {
  const messages: Message[] =
    isRecord(body) && Array.isArray(body.messages)
      ? body.messages.filter(isRecord)
      : [];
  const prompts: string[] = [];
  let lastPrompt = -1;
  messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    const blocks = blocksOf(message.content);
    // A user message carrying tool results continues the turn; it is not a new prompt.
    if (blocks.some(block => block.type === 'tool_result')) return;
    const text = promptText(contentText(blocks));
    if (!text) return;
    prompts.push(text);
    lastPrompt = index;
  });
  const results = messages
    .slice(lastPrompt + 1)
    .flatMap(message =>
      message.role === 'user' ? blocksOf(message.content) : [],
    )
    .filter(block => block.type === 'tool_result');
  const system = isRecord(body) ? contentText(body.system) : '';
  return {
    tools: toolsOf(body),
    prompts,
    toolResultsSinceLastPrompt: results.length,
    lastToolOutputs: results.map(block => contentText(block.content)),
    cwd: findCwd(
      system,
      messages.map(message => contentText(message.content)),
    ),
  };
}

function usageOf(input: RenderInput) {
  return {
    input_tokens: input.usage.inputTokens,
    output_tokens: input.usage.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function contentOf(input: RenderInput): Record<string, unknown>[] {
  const { reply } = input;
  const content: Record<string, unknown>[] = [];
  if (reply.text) content.push({ type: 'text', text: reply.text });
  if (reply.kind === 'tool') {
    content.push({
      type: 'tool_use',
      id: `toolu_${reply.call.id}`,
      name: reply.call.name,
      input: reply.call.arguments,
    });
  }
  return content;
}

function stopReason(input: RenderInput) {
  return input.reply.kind === 'tool' ? 'tool_use' : 'end_turn';
}

function streamFrames(input: RenderInput): SseFrame[] {
  const { reply } = input;
  const delay = reply.kind === 'text' ? reply.chunkDelayMs : undefined;
  const frames: SseFrame[] = [
    jsonFrame(
      {
        type: 'message_start',
        message: {
          id: `msg_fake_${input.seq}`,
          type: 'message',
          role: 'assistant',
          model: requestedModel(input.body),
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usageOf(input), output_tokens: 1 },
        },
      },
      'message_start',
    ),
    jsonFrame({ type: 'ping' }, 'ping'),
  ];
  contentOf(input).forEach((block, index) => {
    const start =
      block.type === 'text' ? { ...block, text: '' } : { ...block, input: {} };
    frames.push(
      jsonFrame(
        { type: 'content_block_start', index, content_block: start },
        'content_block_start',
      ),
    );
    const deltas =
      block.type === 'text'
        ? textChunks(String(block.text)).map(text => ({
            type: 'text_delta',
            text,
          }))
        : argumentPieces(JSON.stringify(block.input)).map(partial_json => ({
            type: 'input_json_delta',
            partial_json,
          }));
    for (const delta of deltas) {
      frames.push(
        jsonFrame(
          { type: 'content_block_delta', index, delta },
          'content_block_delta',
          block.type === 'text' ? delay : undefined,
        ),
      );
    }
    frames.push(
      jsonFrame({ type: 'content_block_stop', index }, 'content_block_stop'),
    );
  });
  frames.push(
    jsonFrame(
      {
        type: 'message_delta',
        delta: { stop_reason: stopReason(input), stop_sequence: null },
        usage: { output_tokens: input.usage.outputTokens },
      },
      'message_delta',
    ),
    jsonFrame({ type: 'message_stop' }, 'message_stop'),
  );
  return frames;
}

function jsonResponse(input: RenderInput): unknown {
  return {
    id: `msg_fake_${input.seq}`,
    type: 'message',
    role: 'assistant',
    model: requestedModel(input.body),
    content: contentOf(input),
    stop_reason: stopReason(input),
    stop_sequence: null,
    usage: usageOf(input),
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function errorBody(status: number, message: string): unknown {
  const type =
    ERROR_TYPES[status] ??
    (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message } };
}

/** `POST /v1/messages/count_tokens`, which Claude Code may call to size its context. */
export function countTokensResponse(body: unknown): unknown {
  const { model: _model, ...counted } = isRecord(body) ? body : {};
  return { input_tokens: countTokens(JSON.stringify(counted)) };
}

export const anthropicMessages: Protocol = {
  name: 'anthropic-messages',
  readConversation,
  wantsStream: body => isRecord(body) && body.stream === true,
  streamFrames,
  jsonResponse,
  errorBody,
};
