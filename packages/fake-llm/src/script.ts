import type { Conversation, Reply } from './conversation';

/** What a scripted conversation answers from (see scripts.ts). */
export interface ScriptContext {
  conversation: Conversation;
  /** What follows the name in the marker, e.g. `500` in `[llm:fail:500]`. */
  argument?: string;
  /** A fresh tool-call id. */
  nextCallId(): string;
}

/** One scripted conversation: the reply to the turn's next request. */
export type Script = (context: ScriptContext) => Reply;
