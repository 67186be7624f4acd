import { posix } from 'node:path';
import { JsonSchema, ToolSpec } from './conversation';

/**
 * Picks a tool from what the agent offered and fills its arguments, by looking at the argument
 * schemas rather than at tool names: OpenCode calls its tools `write`/`bash` with `filePath`,
 * Claude Code `Write`/`Bash` with `file_path`, Codex `exec_command` with `cmd`, and the next
 * release may rename any of them.
 */

export interface ToolChoice {
  name: string;
  arguments: Record<string, unknown>;
}

const PATH_PROPERTY = /^(file_?path|path|file_?name|file|target_?file)$/i;
const CONTENT_PROPERTY = /^(content|contents|text|file_?text|data)$/i;
const COMMAND_PROPERTY = /^(command|cmd)$/i;
const WRITE_NAME = /write|create/i;
const SHELL_NAME = /bash|shell|exec|command|terminal/i;

function propertyNamed(
  schema: JsonSchema | undefined,
  pattern: RegExp,
): [string, JsonSchema] | undefined {
  const entries = Object.entries(schema?.properties ?? {});
  return entries.find(([name]) => pattern.test(name));
}

/** True when every required argument is one of `filled`: other required ones cannot be guessed. */
function fillsRequired(schema: JsonSchema | undefined, filled: string[]) {
  return (schema?.required ?? []).every(name => filled.includes(name));
}

function typeOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

function preferNamed<T extends { tool: ToolSpec }>(
  candidates: T[],
  pattern: RegExp,
): T | undefined {
  return candidates.find(c => pattern.test(c.tool.name)) ?? candidates[0];
}

/** A tool that writes a whole file (path + content), e.g. OpenCode's `write`, Claude's `Write`. */
export function writeFileTool(
  tools: ToolSpec[],
  file: { path: string; content: string },
  cwd?: string,
): ToolChoice | undefined {
  const candidates = tools.flatMap(tool => {
    const path = propertyNamed(tool.parameters, PATH_PROPERTY);
    const content = propertyNamed(tool.parameters, CONTENT_PROPERTY);
    if (!path || !content) return [];
    if (!fillsRequired(tool.parameters, [path[0], content[0]])) return [];
    return [{ tool, path, content }];
  });
  const pick = preferNamed(candidates, WRITE_NAME);
  if (!pick) return undefined;
  // Tools that insist on absolute paths say so in the argument's description.
  const wantsAbsolute = /absolute/i.test(pick.path[1].description ?? '');
  const filePath =
    wantsAbsolute && cwd ? posix.join(cwd, file.path) : file.path;
  return {
    name: pick.tool.name,
    arguments: { [pick.path[0]]: filePath, [pick.content[0]]: file.content },
  };
}

/** A tool that runs a shell command: a `command`/`cmd` argument, as a string or an argv array. */
export function shellTool(
  tools: ToolSpec[],
  command: string,
): ToolChoice | undefined {
  const candidates = tools.flatMap(tool => {
    const property = propertyNamed(tool.parameters, COMMAND_PROPERTY);
    if (!property || !fillsRequired(tool.parameters, [property[0]])) return [];
    return [{ tool, property }];
  });
  const pick = preferNamed(candidates, SHELL_NAME);
  if (!pick) return undefined;
  const asArray = typeOf(pick.property[1]).includes('array');
  return {
    name: pick.tool.name,
    arguments: {
      [pick.property[0]]: asArray ? ['bash', '-lc', command] : command,
    },
  };
}

/** Quotes a string for a POSIX shell. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The write tool when there is one, else a shell command writing the same file. */
export function fileEditTool(
  tools: ToolSpec[],
  file: { path: string; content: string },
  cwd?: string,
): ToolChoice | undefined {
  return (
    writeFileTool(tools, file, cwd) ??
    shellTool(
      tools,
      `printf '%s' ${shellQuote(file.content)} > ${shellQuote(file.path)}`,
    )
  );
}
