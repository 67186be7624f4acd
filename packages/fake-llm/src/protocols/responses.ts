import {
  Conversation,
  contentText,
  findCwd,
  isRecord,
  promptText,
  ToolSpec,
} from '../conversation';
import { jsonFrame, SseFrame, textChunks } from '../sse';
import { openAiErrorBody } from './openAiError';
import {
  argumentPieces,
  Protocol,
  RenderInput,
  requestedModel,
} from './protocol';

/**
 * The OpenAI Responses API (`POST /v1/responses`), what Codex speaks with `wire_api = "responses"`:
 * `instructions` + `input` items in; named `response.*` events out, each with a `sequence_number`;
 * a tool call is a `function_call` output item, its result a `function_call_output` input item of
 * the next request (Codex sends `store: false` and the whole history every time).
 */

function itemsOf(body: unknown): Record<string, unknown>[] {
  const input = isRecord(body) ? body.input : undefined;
  if (typeof input === 'string') {
    return [{ type: 'message', role: 'user', content: input }];
  }
  return Array.isArray(input) ? input.filter(isRecord) : [];
}

function toolsOf(body: unknown): ToolSpec[] {
  const tools = isRecord(body) && Array.isArray(body.tools) ? body.tools : [];
  return tools.flatMap(tool => {
    // Only plain function tools: freeform (`custom`), namespaced and hosted tools are not called.
    if (!isRecord(tool) || tool.type !== 'function') return [];
    if (typeof tool.name !== 'string') return [];
    return [
      {
        name: tool.name,
        description:
          typeof tool.description === 'string' ? tool.description : undefined,
        parameters: isRecord(tool.parameters) ? tool.parameters : undefined,
      },
    ];
  });
}

function isMessage(item: Record<string, unknown>): boolean {
  // Easy-input messages may leave out `type`.
  return item.type === 'message' || (item.type === undefined && 'role' in item);
}

function readConversation(body: unknown): Conversation {
  const items = itemsOf(body);
  const prompts: string[] = [];
  let lastPrompt = -1;
  items.forEach((item, index) => {
    if (!isMessage(item) || item.role !== 'user') return;
    const text = promptText(contentText(item.content));
    if (!text) return;
    prompts.push(text);
    lastPrompt = index;
  });
  const results = items
    .slice(lastPrompt + 1)
    .filter(
      item =>
        typeof item.type === 'string' && item.type.endsWith('_call_output'),
    );
  const instructions =
    isRecord(body) && typeof body.instructions === 'string'
      ? body.instructions
      : '';
  return {
    tools: toolsOf(body),
    prompts,
    toolResultsSinceLastPrompt: results.length,
    lastToolOutputs: results.map(item => contentText(item.output)),
    cwd: findCwd(
      instructions,
      items.filter(isMessage).map(item => contentText(item.content)),
    ),
  };
}

function usageOf(input: RenderInput) {
  const { inputTokens, outputTokens } = input.usage;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

function messageItem(input: RenderInput, text: string) {
  return {
    id: `msg_fake_${input.seq}`,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

function outputItems(input: RenderInput): Record<string, unknown>[] {
  const { reply } = input;
  const items: Record<string, unknown>[] = [];
  if (reply.text) items.push(messageItem(input, reply.text));
  if (reply.kind === 'tool') {
    items.push({
      id: `fc_fake_${input.seq}`,
      type: 'function_call',
      status: 'completed',
      call_id: `call_${reply.call.id}`,
      name: reply.call.name,
      arguments: JSON.stringify(reply.call.arguments),
    });
  }
  return items;
}

function responseObject(
  input: RenderInput,
  status: string,
  output: unknown[],
  usage: unknown,
) {
  return {
    id: `resp_fake_${input.seq}`,
    object: 'response',
    created_at: input.created,
    status,
    model: requestedModel(input.body),
    output,
    usage,
  };
}

function streamFrames(input: RenderInput): SseFrame[] {
  const { reply } = input;
  const delay = reply.kind === 'text' ? reply.chunkDelayMs : undefined;
  const frames: SseFrame[] = [];
  const emit = (
    type: string,
    payload: Record<string, unknown>,
    delayMs?: number,
  ) =>
    frames.push(
      jsonFrame(
        { type, sequence_number: frames.length, ...payload },
        type,
        delayMs,
      ),
    );
  const items = outputItems(input);
  emit('response.created', {
    response: responseObject(input, 'in_progress', [], null),
  });
  emit('response.in_progress', {
    response: responseObject(input, 'in_progress', [], null),
  });
  items.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === 'message') {
      const text = reply.text ?? '';
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const part = { type: 'output_text', text: '', annotations: [] };
      emit('response.content_part.added', {
        item_id,
        output_index,
        content_index: 0,
        part,
      });
      for (const delta of textChunks(text)) {
        emit(
          'response.output_text.delta',
          { item_id, output_index, content_index: 0, delta },
          delay,
        );
      }
      emit('response.output_text.done', {
        item_id,
        output_index,
        content_index: 0,
        text,
      });
      emit('response.content_part.done', {
        item_id,
        output_index,
        content_index: 0,
        part: { ...part, text },
      });
    } else {
      emit('response.output_item.added', {
        output_index,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      for (const delta of argumentPieces(String(item.arguments))) {
        emit('response.function_call_arguments.delta', {
          item_id,
          output_index,
          delta,
        });
      }
      emit('response.function_call_arguments.done', {
        item_id,
        output_index,
        arguments: item.arguments,
      });
    }
    emit('response.output_item.done', { output_index, item });
  });
  emit('response.completed', {
    response: responseObject(input, 'completed', items, usageOf(input)),
  });
  return frames;
}

function jsonResponse(input: RenderInput): unknown {
  return responseObject(input, 'completed', outputItems(input), usageOf(input));
}

export const responses: Protocol = {
  name: 'responses',
  readConversation,
  wantsStream: body => isRecord(body) && body.stream === true,
  streamFrames,
  jsonResponse,
  errorBody: openAiErrorBody,
};
