import type { Reply } from './conversation';
import type { ScriptContext } from './script';
import { shellTool } from './tools';

/**
 * The `run` script: the "model" does what a prompt such as an OpenCode command template asks, run a
 * shell command and report on it. Turn 1 runs the first fenced `bash`/`sh`/`shell` block of the
 * latest prompt (the whole block, as one command) with the agent's shell tool; once the result is
 * back, it answers with a short report that quotes the last lines the command printed, so what the
 * command said reaches the conversation's final answer.
 *
 * `[llm:run:<n>]` quotes the last n lines (default RUN_REPORT_LINES).
 */

export const RUN_REPORT_LINES = 20;
const MAX_LINES = 200;

const FENCE =
  /^([ \t]*)(`{3,}|~{3,})[ \t]*([\w-]*)[^\n]*\n([\s\S]*?)^\1\2[ \t]*$/gm;
const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh']);

/** The first fenced shell block of a text, without its fences; undefined when there is none. */
export function findShellBlock(text: string): string | undefined {
  for (const match of text.matchAll(FENCE)) {
    if (!SHELL_LANGUAGES.has(match[3].toLowerCase())) continue;
    const command = match[4].trim();
    if (command) return command;
  }
  return undefined;
}

function lastLines(output: string, count: number): string {
  const lines = output.replace(/\s+$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

function reportLines(argument: string | undefined): number {
  const asked = Number(argument ?? RUN_REPORT_LINES);
  return Number.isInteger(asked) && asked > 0
    ? Math.min(asked, MAX_LINES)
    : RUN_REPORT_LINES;
}

export function run(context: ScriptContext): Reply {
  const { conversation } = context;
  const prompt = conversation.prompts.at(-1) ?? '';
  const command = findShellBlock(prompt);
  if (!command) {
    return {
      kind: 'text',
      text: 'There is no fenced bash block in the prompt for me to run.',
    };
  }
  const summary = command.split('\n')[0].trim();
  // A side request without tools (OpenCode's title generation).
  if (conversation.tools.length === 0) {
    return { kind: 'text', text: `Run ${summary}` };
  }
  if (conversation.toolResultsSinceLastPrompt === 0) {
    const tool = shellTool(conversation.tools, command);
    if (!tool) {
      return {
        kind: 'text',
        text: `No shell tool here to run \`${summary}\` with.`,
      };
    }
    return {
      kind: 'tool',
      text: `I will run the command from the prompt.`,
      call: { id: context.nextCallId(), ...tool },
    };
  }
  const output = conversation.lastToolOutputs.join('\n').trim();
  const quoted = output
    ? lastLines(output, reportLines(context.argument))
    : '(no output)';
  return {
    kind: 'text',
    text: `I ran the command from the prompt (\`${summary}\`). It printed, at the end:\n\n\`\`\`\n${quoted}\n\`\`\``,
  };
}
