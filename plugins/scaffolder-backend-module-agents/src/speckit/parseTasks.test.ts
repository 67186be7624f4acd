import fs from 'node:fs';
import path from 'node:path';
import { parseTasks, selectTasks } from './parseTasks';

const fixture = fs.readFileSync(path.join(__dirname, '../__fixtures__/tasks.md'), 'utf8');

describe('parseTasks', () => {
  it('reads every task of a real spec-kit tasks.md, with its markers, story, phase and state', () => {
    const { title, tasks, problems } = parseTasks(fixture);
    expect(problems).toEqual([]);
    expect(title).toBe('Tasks: Ledger for payments');
    expect(tasks.map(t => t.id)).toEqual([
      'T001', 'T002', 'T003', 'T004', 'T005', 'T006', 'T007', 'T008', 'T009', 'T010', 'T011',
    ]);
    expect(tasks.filter(t => t.done).map(t => t.id)).toEqual(['T001', 'T002', 'T008']);

    const t005 = tasks.find(t => t.id === 'T005')!;
    expect(t005).toMatchObject({
      done: false,
      parallel: true,
      async: true,
      story: 'US1',
      markers: ['P', 'ASYNC', 'US1'],
      description: 'Contract test for POST /ledger/entries (tests/contract/ledger.test.ts)',
      path: 'tests/contract/ledger.test.ts',
      phase: 'Phase 3: User Story 1 - Record payments (Priority: P1) 🎯 MVP',
      section: 'Tests for User Story 1',
    });
    // Markers in another order are the same markers.
    expect(tasks.find(t => t.id === 'T009')).toMatchObject({ async: true, story: 'US2' });
    // Indented lines under a task are its details; a blank line ends them.
    expect(tasks.find(t => t.id === 'T003')!.details).toEqual([
      '- fields: id, amount in cents, currency, createdAt',
      '- verify: `yarn tsc` passes',
    ]);
    expect(tasks.find(t => t.id === 'T011')).toMatchObject({
      parallel: true,
      async: false,
      path: undefined,
      phase: 'Phase 5: Polish & Cross-Cutting Concerns',
    });
  });

  it('ignores task-like lines inside fenced code blocks', () => {
    const { tasks } = parseTasks(fixture);
    expect(tasks.filter(t => t.id === 'T005')).toHaveLength(1);
  });

  it('selects open [ASYNC] tasks, and open [P] tasks when asked', () => {
    const { tasks } = parseTasks(fixture);
    expect(selectTasks(tasks, { includeParallel: false }).map(t => t.id)).toEqual([
      'T004', 'T005', 'T007', 'T009',
    ]);
    expect(selectTasks(tasks, { includeParallel: true }).map(t => t.id)).toEqual([
      'T004', 'T005', 'T006', 'T007', 'T009', 'T010', 'T011',
    ]);
  });

  it('reports malformed task lines instead of guessing', () => {
    const markdown = [
      '## Phase 1',
      '- [ ] T001 A good task',
      '- [ ] T01x A bad id',
      '- [ ] Missing the id',
      '- [ ] T002 [PARALLEL] An unknown marker',
      '- [ ] T003 [US1] [US2] Two stories',
      '- [ ] T004 [P]',
      '- [] T005 An empty checkbox',
      '- [~] T006 A strange checkbox',
      '- [ ] T001 The same id again',
      '-  [ ]T007 No space after the box',
      '',
      '* [x] T008 A done task with another bullet',
    ].join('\r\n');
    const { tasks, problems } = parseTasks(markdown);
    expect(tasks.map(t => t.id)).toEqual(['T001', 'T008']);
    expect(tasks[1].done).toBe(true);
    expect(problems.map(p => [p.line, p.message])).toEqual([
      [3, 'malformed task id "T01x": ids are T followed by digits, e.g. T001'],
      [4, 'missing task id: a task starts with its id after the checkbox, e.g. "- [ ] T001 ..."'],
      [5, 'unknown marker "[PARALLEL]" on task T002; known markers: P, ASYNC, US<n>'],
      [6, 'task T003 names two user stories ([US1] and [US2])'],
      [7, 'task T004 has no description'],
      [8, 'malformed checkbox "[]": use "[ ]" for an open task, "[x]" for a done one'],
      [9, 'malformed checkbox "[~]": use "[ ]" for an open task, "[x]" for a done one'],
      [10, 'duplicate task id T001 (first on line 2)'],
      [11, 'no space after the checkbox'],
    ]);
    expect(problems[0].text).toBe('- [ ] T01x A bad id');
  });

  it('parses an empty file to nothing', () => {
    expect(parseTasks('')).toEqual({ title: undefined, tasks: [], problems: [] });
  });
});

describe('the example spec of the development setup', () => {
  it('parses cleanly and hands its three open [ASYNC] tasks to agents', () => {
    const file = path.join(__dirname, '../../../../examples/specs/001-refunds/tasks.md');
    const parsed = parseTasks(fs.readFileSync(file, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(selectTasks(parsed.tasks, { includeParallel: false }).map(t => t.id)).toEqual(['T002', 'T003', 'T005']);
  });
});
