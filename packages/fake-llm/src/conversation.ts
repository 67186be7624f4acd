/**
 * What a scripted conversation decides on, whatever wire protocol the request came in: each protocol
 * module reduces its request body to this shape, and renders a `Reply` back in its own framing.
 */

/** A tool the agent offered, reduced to what the simulator needs to call it. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** The JSON Schema of the arguments; undefined for tools without one (freeform or built-in). */
  parameters?: JsonSchema;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
}

export interface Conversation {
  tools: ToolSpec[];
  /** The text of every user message that carries a prompt (not only tool results), oldest first. */
  prompts: string[];
  /** How many tool results came back after the latest prompt: the step the script is at. */
  toolResultsSinceLastPrompt: number;
  /** The outputs of those tool results, oldest first (what the last tool call printed). */
  lastToolOutputs: string[];
  /** The working directory the agent announces in its system prompt, when it does. */
  cwd?: string;
}

export interface ToolCall {
  /** Unique within the simulator's lifetime; each protocol adds its own prefix. */
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type Reply =
  | { kind: 'text'; text: string; chunkDelayMs?: number }
  | { kind: 'tool'; call: ToolCall; text?: string }
  | { kind: 'error'; status: number; message: string };

/** Where agents say which directory they work in (OpenCode, Claude Code, Codex, in that order). */
const CWD_PATTERNS = [
  /Working directory: ([^\s<]+)/,
  /Primary working directory: ([^\s<]+)/,
  /<cwd>([^<]+)<\/cwd>/,
];

/**
 * Finds the working directory for tools that want absolute paths: in the request's own system text
 * (`system`, written for this request), else in the newest message that names one. A resumed
 * conversation may run somewhere else than its earlier turns did, and those turns still name the
 * old directory.
 */
export function findCwd(system: string, messages: string[]): string | undefined {
  for (const text of [system, ...[...messages].reverse()]) {
    for (const pattern of CWD_PATTERNS) {
      const match = pattern.exec(text);
      if (match) return match[1].trim();
    }
  }
  return undefined;
}

/** Collects the text of a content value: a string, or an array of blocks with `text`. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map(block => {
      if (typeof block === 'string') return block;
      if (block && typeof block === 'object') {
        const { text, content: inner } = block as {
          text?: unknown;
          content?: unknown;
        };
        if (typeof text === 'string') return text;
        if (inner !== undefined) return contentText(inner);
      }
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Blocks agents wrap their own context in (`<system-reminder>`, `<environment_context>`, …). */
const WRAPPER_BLOCK = /<([a-z_][\w-]*)(?:\s[^>]*)?>[\s\S]*?<\/\1>/gi;
/** Codex's heading for AGENTS.md contents, which it sends as a user message. */
const AGENTS_MD_HEADING = /^# AGENTS\.md instructions for .*$/gm;

/**
 * What a person wrote in a user message, without the context blocks agents add to user messages;
 * empty when the message is only such context.
 */
export function promptText(text: string): string {
  return text.replace(WRAPPER_BLOCK, '').replace(AGENTS_MD_HEADING, '').trim();
}
