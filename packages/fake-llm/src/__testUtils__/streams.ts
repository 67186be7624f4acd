import { ToolSpec } from '../conversation';
import { formatFrame, parseSse, ParsedEvent, SseFrame } from '../sse';

/** Serializes frames the way the server does and parses them back, as a client would. */
export function roundTrip(frames: SseFrame[]): ParsedEvent[] {
  return parseSse(frames.map(formatFrame).join(''));
}

/** The JSON payloads of parsed events (skipping chat completions' `[DONE]`). */
export function payloads<T = Record<string, any>>(events: ParsedEvent[]): T[] {
  return events.filter(e => e.data !== '[DONE]').map(e => JSON.parse(e.data));
}

/** Tool schemas as the three CLIs send them (trimmed to what the simulator reads). */
export const OPENCODE_LIKE_TOOLS: ToolSpec[] = [
  {
    name: 'bash',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command to execute' },
        workdir: { type: 'string' },
      },
      required: ['command'],
    },
  },
  {
    name: 'edit',
    parameters: {
      type: 'object',
      properties: {
        filePath: {
          type: 'string',
          description: 'The absolute path to the file to modify',
        },
        oldString: { type: 'string' },
        newString: { type: 'string' },
      },
      required: ['filePath', 'oldString', 'newString'],
    },
  },
  {
    name: 'write',
    parameters: {
      type: 'object',
      properties: {
        content: {
          type: 'string',
          description: 'The content to write to the file',
        },
        filePath: {
          type: 'string',
          description:
            'The absolute path to the file to write (must be absolute, not relative)',
        },
      },
      required: ['content', 'filePath'],
    },
  },
];

export const CODEX_LIKE_TOOLS: ToolSpec[] = [
  {
    name: 'exec_command',
    parameters: {
      type: 'object',
      properties: {
        cmd: { type: 'string', description: 'Shell command to execute.' },
        login: { type: 'boolean' },
      },
      required: ['cmd'],
    },
  },
  {
    name: 'view_image',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' } },
      required: ['path'],
    },
  },
];
