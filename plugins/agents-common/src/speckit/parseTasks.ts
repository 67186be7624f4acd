/**
 * A pure parser for spec-kit `tasks.md` files.
 *
 * Reads spec-kit's upstream format (`## Phase N: …` headings, `- [ ] T001 [P] [US1] Description`,
 * `[x]`/`[X]` done tasks, `**Checkpoint**: …` lines, fenced examples) plus the `[SYNC]`/`[ASYNC]`
 * triage markers of the agentic-SDLC fork of spec-kit. Lines inside fenced code blocks are never
 * tasks. "depends on T005" mentions, in a task or in a dependency note (`- T007 depends on T005`), are
 * collected into the task's `dependsOn`.
 *
 * A line that looks like a task but does not follow the format is reported in `problems` with its
 * line number and is not a task; callers refuse the whole file when `problems` is not empty (a
 * skipped line could be a task that must run before another). The parser is pure and isomorphic.
 */

/** One task of a `tasks.md`. */
export interface SpeckitTask {
  /** The task id, e.g. `T012`. */
  id: string;
  /** Whether the checkbox is checked (`[x]` or `[X]`). */
  done: boolean;
  /** `[P]`: may run in parallel with other tasks of its phase. */
  parallel: boolean;
  /** `[ASYNC]` (agentic-SDLC fork of spec-kit): meant to be implemented by an asynchronous agent. */
  async: boolean;
  /** `[SYNC]` (agentic-SDLC fork of spec-kit): meant for a human (or a synchronous, supervised agent). */
  sync: boolean;
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
  /** N of a `## Phase N: …` heading, when the phase heading has one. */
  phaseNumber?: number;
  /** The task ids this task depends on ("depends on T005"), in the order written, without duplicates. */
  dependsOn: string[];
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

/** A `**Checkpoint**: …` line, which closes a phase in spec-kit's template. */
export interface SpeckitCheckpoint {
  /** 1-based line number. */
  line: number;
  /** The text after `Checkpoint:`. */
  text: string;
  /** The phase it closes (the nearest `##` heading above it). */
  phase?: string;
}

/** A `## Phase N: …` heading. */
export interface SpeckitPhase {
  /** The heading text, e.g. `Phase 1: Setup`. */
  title: string;
  /** N, when the heading starts with `Phase N`. */
  number?: number;
  /** 1-based line number of the heading. */
  line: number;
}

export interface ParsedTasks {
  /** The `# ` title, when there is one. */
  title?: string;
  tasks: SpeckitTask[];
  /** The `## Phase …` headings, in file order. */
  phases: SpeckitPhase[];
  checkpoints: SpeckitCheckpoint[];
  problems: SpeckitTaskProblem[];
}

const KNOWN_MARKERS = 'P, SYNC, ASYNC, US<n>';
const CHECKBOX_ITEM = /^(\s*)[-*+]\s+\[([^\]]*)\](.*)$/;
// Something that only almost looks like a checkbox: `- []`, `- [ x ]`, `-[ ]`.
const NEAR_CHECKBOX = /^\s*(?:[-*+]\s*\[\s*[xX]?\s*\]|[-*+]\[)/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const TASK_ID = /^T\d+$/;
const ID_LIKE = /^T[\w-]*$/i;
const MARKER = /^\[([^\]]*)\]/;
const TRAILING_PATH = /\(([^()\s]+)\)\s*$/;
const PHASE_NUMBER = /^Phase\s+(\d+)\b/i;
const CHECKPOINT = /^(?:[-*+]\s+)?\*{0,2}Checkpoint(?:\*{2}\s*:|\s*:\*{0,2})\s*(.*)$/i;
// "depends on T005", "Depends on: T003, T004 and T006", "depends on T003 & T004".
const DEPENDS_ON = /\bdepends\s+on:?\s+(T\d+(?:\s*(?:,|&|\band\b)\s*T\d+)*)/gi;
// A dependency note outside a task line: "- T007 depends on T005 (test first)".
const DEPENDENCY_NOTE = /^(?:[-*+]\s+)?\**(T\d+)\**\s+depends\s+on\b/i;

function dependenciesIn(text: string): string[] {
  const ids: string[] = [];
  for (const match of text.matchAll(DEPENDS_ON)) {
    for (const id of match[1].match(/T\d+/g) ?? []) ids.push(id);
  }
  return ids;
}

function addUnique(list: string[], ids: string[]) {
  for (const id of ids) if (!list.includes(id)) list.push(id);
}

/** Parses a spec-kit `tasks.md`. */
export function parseTasks(markdown: string): ParsedTasks {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const tasks: SpeckitTask[] = [];
  const problems: SpeckitTaskProblem[] = [];
  const phases: SpeckitPhase[] = [];
  const checkpoints: SpeckitCheckpoint[] = [];
  const notes: Array<{ id: string; dependsOn: string[]; line: number; text: string }> = [];
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
      if (level === 2) {
        phase = headingText;
        const number = PHASE_NUMBER.exec(headingText);
        if (number) phases.push({ title: headingText, number: Number(number[1]), line: lineNo });
        else if (/^Phase\b/i.test(headingText)) phases.push({ title: headingText, line: lineNo });
      }
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
      if (current && indent > current.indent) {
        current.task.details.push(text);
        addUnique(current.task.dependsOn, dependenciesIn(text));
        return;
      }
      current = undefined;
      const checkpoint = CHECKPOINT.exec(text);
      if (checkpoint) {
        checkpoints.push({ line: lineNo, text: checkpoint[1].replace(/\*+$/, '').trim(), phase });
        return;
      }
      const note = DEPENDENCY_NOTE.exec(text);
      if (note) notes.push({ id: note[1], dependsOn: dependenciesIn(text), line: lineNo, text });
      return;
    }

    const [, indentText, box, rest] = item;
    const indent = indentText.length;
    if (/^(?:P|SYNC|ASYNC|US\d+)$/.test(box.trim())) {
      // A bullet that starts with a marker, like spec-kit's note "- [P] tasks = different files", is prose.
      if (current && indent > current.indent) current.task.details.push(text);
      else current = undefined;
      return;
    }
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
    let isSync = false;
    let story: string | undefined;
    let bad: string | undefined;
    for (let m = MARKER.exec(remainder); m; m = MARKER.exec(remainder)) {
      const marker = m[1].trim();
      if (marker === 'P') {
        parallel = true;
      } else if (marker === 'ASYNC' || marker === 'SYNC') {
        if ((marker === 'ASYNC' && isSync) || (marker === 'SYNC' && isAsync)) {
          bad = `task ${id} is marked both [SYNC] and [ASYNC]`;
          break;
        }
        if (marker === 'ASYNC') isAsync = true;
        else isSync = true;
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
      sync: isSync,
      story,
      markers,
      description: remainder,
      path: TRAILING_PATH.exec(remainder)?.[1],
      phase,
      phaseNumber: phase ? numberOf(phase) : undefined,
      dependsOn: dependenciesIn(remainder),
      section,
      details: [],
      line: lineNo,
    };
    tasks.push(task);
    current = { task, indent };
  });

  // Dependency notes and mentions name tasks of this file; anything else is a typo worth refusing.
  const byId = new Map(tasks.map(task => [task.id, task]));
  for (const note of notes) {
    const task = byId.get(note.id);
    if (!task) {
      problems.push({ line: note.line, text: note.text, message: `dependency note names unknown task ${note.id}` });
      continue;
    }
    addUnique(task.dependsOn, note.dependsOn);
  }
  for (const task of tasks) {
    task.dependsOn = task.dependsOn.filter(dep => dep !== task.id);
    const unknown = task.dependsOn.filter(dep => !byId.has(dep));
    if (unknown.length > 0) {
      problems.push({
        line: task.line,
        text: lines[task.line - 1].trim(),
        message: `task ${task.id} depends on unknown task${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`,
      });
    }
  }
  problems.sort((a, b) => a.line - b.line);

  return { title, tasks, phases, checkpoints, problems };
}

function numberOf(phase: string): number | undefined {
  const match = PHASE_NUMBER.exec(phase);
  return match ? Number(match[1]) : undefined;
}

/**
 * The open tasks to hand to agents: `[ASYNC]` ones, and with `includeParallel` also `[P]` ones.
 * A `[SYNC]` task is a human's and is never selected, even with `[P]`.
 */
export function selectTasks(
  tasks: SpeckitTask[],
  options: { includeParallel: boolean },
): SpeckitTask[] {
  return tasks.filter(
    task =>
      !task.done && !task.sync && (task.async || (options.includeParallel && task.parallel)),
  );
}
