import { Conversation, Reply } from '../conversation';
import { SseFrame } from '../sse';
import { Usage } from '../usage';

/** A reply a protocol renders as a completion (errors are rendered by `errorBody`). */
export type CompletionReply = Exclude<Reply, { kind: 'error' }>;

export interface RenderInput {
  body: unknown;
  reply: CompletionReply;
  usage: Usage;
  /** Sequence number of the request: makes response and item ids unique. */
  seq: number;
  /** Seconds since the epoch, for `created` fields. */
  created: number;
}

/** One wire protocol: how its requests read and how its answers, streamed or not, look. */
export interface Protocol {
  name: 'chat-completions' | 'anthropic-messages' | 'responses';
  readConversation(body: unknown): Conversation;
  wantsStream(body: unknown): boolean;
  streamFrames(input: RenderInput): SseFrame[];
  jsonResponse(input: RenderInput): unknown;
  errorBody(status: number, message: string): unknown;
}

/** The model the request named, echoed back the way providers do. */
export function requestedModel(body: unknown): string {
  const model = (body as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' && model ? model : 'fake-llm';
}

/** The text a completion produces, for usage counting. */
export function replyOutput(reply: CompletionReply): string {
  if (reply.kind === 'text') return reply.text;
  return `${reply.text ?? ''}${JSON.stringify(reply.call.arguments)}`;
}

/** Splits a JSON argument string in two, as models stream tool arguments in pieces. */
export function argumentPieces(json: string): string[] {
  const middle = Math.ceil(json.length / 2);
  return [json.slice(0, middle), json.slice(middle)].filter(Boolean);
}
