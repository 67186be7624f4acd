import { Conversation, Reply } from './conversation';
import type { Script, ScriptContext } from './script';
import { run } from './runScript';
import { fileEditTool, shellTool } from './tools';

/**
 * Scripted conversations. A prompt picks one with a marker, `[llm:<name>]` or `[llm:<name>:<arg>]`
 * (the latest prompt with a marker wins; none means `edit`), and the script answers each request of
 * the turn from how many tool results have come back since that prompt:
 *
 *   edit          write `fake-llm-edit-<n>.txt` (n = the prompt's number in the conversation) with
 *                 the agent's write tool, or its shell tool when it has none; then answer in text
 *   fail[:status] answer with a provider error (400 unless a status is given; 5xx are retried by
 *                 every CLI, so a run takes minutes to give up)
 *   slow[:ms]     the edit, then a final answer streamed one word every `ms` (250) milliseconds
 *   blocked-tool[:url]  run `curl` against a host outside the machine (https://example.com unless
 *                 a URL is given, e.g. a local port a network namespace must not reach) with the
 *                 shell tool; then answer with its output
 *   text          answer in text, no tool
 *   run[:lines]   run the first fenced bash block of the prompt with the shell tool, then answer
 *                 with a report quoting the last `lines` (20) lines it printed (runScript.ts)
 *
 * Requests without tools (OpenCode's title generation, Claude Code's side queries) get text.
 */

export type { Script, ScriptContext } from './script';

export interface Marker {
  name: string;
  argument?: string;
}

export const DEFAULT_SCENARIO = 'edit';
export const BLOCKED_HOST_URL = 'https://example.com';
export const SLOW_WORDS = 20;
const SLOW_DEFAULT_MS = 250;

const MARKER_PATTERN = /\[llm:([a-z0-9][a-z0-9-]*)(?::([^\]\s]+))?\]/gi;

/** The last marker of the latest prompt that has one. */
export function findMarker(prompts: string[]): Marker | undefined {
  for (let i = prompts.length - 1; i >= 0; i--) {
    const matches = [...prompts[i].matchAll(MARKER_PATTERN)];
    const last = matches[matches.length - 1];
    if (last) return { name: last[1].toLowerCase(), argument: last[2] };
  }
  return undefined;
}

/** The file the edit script writes for the n-th prompt of a conversation (from 1). */
export function editFileName(promptNumber: number): string {
  return `fake-llm-edit-${promptNumber}.txt`;
}

function promptSummary(prompt: string): string {
  const line = prompt.replace(MARKER_PATTERN, '').trim().split('\n')[0];
  return line.trim().slice(0, 120);
}

/** Turn 1: the edit; afterwards (or with no usable tool), the final answer. */
function edit(context: ScriptContext, finalWords?: string): Reply {
  const { conversation } = context;
  const promptNumber = Math.max(conversation.prompts.length, 1);
  const path = editFileName(promptNumber);
  const prompt = conversation.prompts[conversation.prompts.length - 1] ?? '';
  if (conversation.toolResultsSinceLastPrompt === 0) {
    const content = `Edited by fake-llm for prompt ${promptNumber}: ${promptSummary(
      prompt,
    )}\n`;
    const tool = fileEditTool(
      conversation.tools,
      { path, content },
      conversation.cwd,
    );
    if (tool) {
      return {
        kind: 'tool',
        text: `I will write ${path}.`,
        call: { id: context.nextCallId(), ...tool },
      };
    }
    if (conversation.tools.length > 0) {
      return { kind: 'text', text: `No tool here can write ${path}.` };
    }
    return { kind: 'text', text: `fake-llm: ${promptSummary(prompt)}` };
  }
  return { kind: 'text', text: finalWords ?? `Done: wrote ${path}.` };
}

function fail(context: ScriptContext): Reply {
  const asked = Number(context.argument ?? 400);
  const status =
    Number.isInteger(asked) && asked >= 400 && asked < 600 ? asked : 400;
  return {
    kind: 'error',
    status,
    message: `fake-llm: scripted failure (HTTP ${status})`,
  };
}

function slow(context: ScriptContext): Reply {
  const reply = edit(
    context,
    Array.from({ length: SLOW_WORDS }, (_, i) => `word${i + 1}`).join(' '),
  );
  if (
    reply.kind !== 'text' ||
    context.conversation.toolResultsSinceLastPrompt === 0
  )
    return reply;
  const ms = Number(context.argument ?? SLOW_DEFAULT_MS);
  return { ...reply, chunkDelayMs: Number.isFinite(ms) ? ms : SLOW_DEFAULT_MS };
}

function blockedTool(context: ScriptContext): Reply {
  const { conversation } = context;
  const url = context.argument ?? BLOCKED_HOST_URL;
  if (conversation.toolResultsSinceLastPrompt > 0) {
    const output = conversation.lastToolOutputs.join('\n').trim();
    return {
      kind: 'text',
      text: `The command to ${url} finished: ${
        output.slice(0, 200) || '(no output)'
      }`,
    };
  }
  const tool = shellTool(conversation.tools, `curl -sS --max-time 10 ${url}`);
  if (!tool) return { kind: 'text', text: 'No shell tool to run curl with.' };
  return {
    kind: 'tool',
    text: `I will fetch ${url}.`,
    call: { id: context.nextCallId(), ...tool },
  };
}

function text(context: ScriptContext): Reply {
  const prompt = context.conversation.prompts.at(-1) ?? '';
  return { kind: 'text', text: `fake-llm read: ${promptSummary(prompt)}` };
}

export const defaultScripts: Readonly<Record<string, Script>> = {
  edit: context => edit(context),
  fail,
  slow,
  'blocked-tool': blockedTool,
  text,
  run,
};

/** Plays the scenario the conversation's marker names (unknown names fall back to the default). */
export function playScript(
  conversation: Conversation,
  scripts: Readonly<Record<string, Script>>,
  nextCallId: () => string,
): { scenario: string; reply: Reply } {
  const marker = findMarker(conversation.prompts);
  const scenario =
    marker && scripts[marker.name] ? marker.name : DEFAULT_SCENARIO;
  const script = scripts[scenario] ?? defaultScripts[DEFAULT_SCENARIO];
  const reply = script({
    conversation,
    argument: marker?.name === scenario ? marker.argument : undefined,
    nextCallId,
  });
  return { scenario, reply };
}
