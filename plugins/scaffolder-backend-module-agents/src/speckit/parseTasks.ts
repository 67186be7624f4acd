/**
 * A pure parser for spec-kit `tasks.md` files.
 *
 * A task line is a Markdown checkbox item whose text starts with a task id, then bracketed markers,
 * then the description, e.g. `- [ ] T012 [P] [ASYNC] [US1] Add the ledger model (src/ledger.ts)`.
 * Everything else (headings, prose, dependency notes, fenced code blocks) is context. A line that
 * looks like a task but does not follow the format is reported in `problems`, never guessed at.
 */

/** One task of a `tasks.md`. */
export interface SpeckitTask {
  /** The task id, e.g. `T012`. */
  id: string;
  /** Whether the checkbox is checked (`[x]` or `[X]`). */
  done: boolean;
  /** `[P]`: may run in parallel with other tasks of its phase. */
  parallel: boolean;
  /** `[ASYNC]`: meant to be implemented by an asynchronous agent. */
  async: boolean;
  /** The user story, e.g. `US1`, from a `[US1]` marker. */
  story?: string;
  /** The markers in the order they were written, without brackets. */
  markers: string[];
  /** The text after the markers. */
  description: string;
  /** The file path in trailing parentheses, when the description ends with one. */
  path?: string;
  /** The nearest `##` heading above the task (the phase), when there is one. */
  phase?: string;
  /** The nearest heading of any level above the task. */
  section?: string;
  /** Indented lines directly under the task (sub-bullets, notes), without their indentation. */
  details: string[];
  /** 1-based line number. */
  line: number;
}

/** A line that looks like a task but is not one. */
export interface SpeckitTaskProblem {
  /** 1-based line number. */
  line: number;
  /** The offending line, trimmed. */
  text: string;
  /** What is wrong with it. */
  message: string;
}

export interface ParsedTasks {
  /** The `# ` title, when there is one. */
  title?: string;
  tasks: SpeckitTask[];
  problems: SpeckitTaskProblem[];
}

const KNOWN_MARKERS = 'P, ASYNC, US<n>';
const CHECKBOX_ITEM = /^(\s*)[-*+]\s+\[([^\]]*)\](.*)$/;
// Something that only almost looks like a checkbox: `- []`, `- [ x ]`, `-[ ]`.
const NEAR_CHECKBOX = /^\s*(?:[-*+]\s*\[\s*[xX]?\s*\]|[-*+]\[)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const TASK_ID = /^T\d+$/;
const ID_LIKE = /^T[\w-]*$/i;
const MARKER = /^\[([^\]]*)\]/;
const TRAILING_PATH = /\(([^()\s]+)\)\s*$/;

/** Parses a spec-kit `tasks.md`. */
export function parseTasks(markdown: string): ParsedTasks {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const tasks: SpeckitTask[] = [];
  const problems: SpeckitTaskProblem[] = [];
  const seen = new Map<string, number>();
  let title: string | undefined;
  let phase: string | undefined;
  let section: string | undefined;
  let fence: string | undefined;
  let current: { task: SpeckitTask; indent: number } | undefined;

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const text = raw.trim();
    const problem = (message: string) => problems.push({ line: lineNo, text, message });

    const fenceMatch = FENCE.exec(raw);
    if (fence) {
      if (fenceMatch && fenceMatch[1] === fence) fence = undefined;
      return;
    }
    if (fenceMatch) {
      fence = fenceMatch[1];
      current = undefined;
      return;
    }
    if (!text) {
      current = undefined;
      return;
    }

    const heading = HEADING.exec(raw);
    if (heading) {
      current = undefined;
      const level = heading[1].length;
      const headingText = heading[2];
      if (level === 1 && title === undefined) title = headingText;
      if (level === 2) phase = headingText;
      if (level >= 2) section = headingText;
      return;
    }

    const item = CHECKBOX_ITEM.exec(raw);
    if (!item) {
      if (NEAR_CHECKBOX.test(raw)) {
        problem('malformed checkbox: write "- [ ] " for an open task or "- [x] " for a done one');
        return;
      }
      const indent = raw.length - raw.trimStart().length;
      if (current && indent > current.indent) current.task.details.push(text);
      else current = undefined;
      return;
    }

    const [, indentText, box, rest] = item;
    const indent = indentText.length;
    if (current && indent > current.indent) {
      // A checkbox nested under a task is a sub-step of it, not a task of its own.
      current.task.details.push(text);
      return;
    }
    current = undefined;

    if (box !== ' ' && box !== 'x' && box !== 'X') {
      problem(`malformed checkbox "[${box}]": use "[ ]" for an open task, "[x]" for a done one`);
      return;
    }
    if (!rest.startsWith(' ')) {
      problem('no space after the checkbox');
      return;
    }

    let remainder = rest.trim();
    const firstToken = remainder.split(/\s+/)[0] ?? '';
    if (!TASK_ID.test(firstToken)) {
      if (ID_LIKE.test(firstToken) && /\d/.test(firstToken)) {
        problem(`malformed task id "${firstToken}": ids are T followed by digits, e.g. T001`);
      } else {
        problem('missing task id: a task starts with its id after the checkbox, e.g. "- [ ] T001 ..."');
      }
      return;
    }
    const id = firstToken;
    remainder = remainder.slice(id.length).trim();

    const markers: string[] = [];
    let parallel = false;
    let isAsync = false;
    let story: string | undefined;
    let bad: string | undefined;
    for (let m = MARKER.exec(remainder); m; m = MARKER.exec(remainder)) {
      const marker = m[1].trim();
      if (marker === 'P') {
        parallel = true;
      } else if (marker === 'ASYNC') {
        isAsync = true;
      } else if (/^US\d+$/.test(marker)) {
        if (story) {
          bad = `task ${id} names two user stories ([${story}] and [${marker}])`;
          break;
        }
        story = marker;
      } else {
        bad = `unknown marker "[${m[1]}]" on task ${id}; known markers: ${KNOWN_MARKERS}`;
        break;
      }
      markers.push(marker);
      remainder = remainder.slice(m[0].length).trim();
    }
    if (bad) {
      problem(bad);
      return;
    }
    if (!remainder) {
      problem(`task ${id} has no description`);
      return;
    }
    const previous = seen.get(id);
    if (previous !== undefined) {
      problem(`duplicate task id ${id} (first on line ${previous})`);
      return;
    }
    seen.set(id, lineNo);

    const task: SpeckitTask = {
      id,
      done: box !== ' ',
      parallel,
      async: isAsync,
      story,
      markers,
      description: remainder,
      path: TRAILING_PATH.exec(remainder)?.[1],
      phase,
      section,
      details: [],
      line: lineNo,
    };
    tasks.push(task);
    current = { task, indent };
  });

  return { title, tasks, problems };
}

/** The open tasks to hand to agents: `[ASYNC]` ones, and with `includeParallel` also `[P]` ones. */
export function selectTasks(
  tasks: SpeckitTask[],
  options: { includeParallel: boolean },
): SpeckitTask[] {
  return tasks.filter(
    task => !task.done && (task.async || (options.includeParallel && task.parallel)),
  );
}
