import fs from 'node:fs';
import path from 'node:path';
import { parseTasks, selectTasks } from './parseTasks';
import { planWaves } from './planWaves';

const fixture = fs.readFileSync(path.join(__dirname, '__fixtures__/tasks.md'), 'utf8');

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
      sync: false,
      story: 'US1',
      markers: ['P', 'ASYNC', 'US1'],
      description: 'Contract test for POST /ledger/entries (tests/contract/ledger.test.ts)',
      path: 'tests/contract/ledger.test.ts',
      phase: 'Phase 3: User Story 1 - Record payments (Priority: P1) 🎯 MVP',
      phaseNumber: 3,
      section: 'Tests for User Story 1',
      dependsOn: [],
    });
    // A dependency note below the tasks adds to the task it names.
    expect(tasks.find(t => t.id === 'T007')!.dependsOn).toEqual(['T005']);
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
      [5, 'unknown marker "[PARALLEL]" on task T002; known markers: P, SYNC, ASYNC, US<n>'],
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
    expect(parseTasks('')).toEqual({
      title: undefined,
      tasks: [],
      phases: [],
      checkpoints: [],
      problems: [],
    });
  });
});

describe('the upstream spec-kit format', () => {
  const upstream = parseTasks(
    fs.readFileSync(path.join(__dirname, '__fixtures__/upstream-tasks.md'), 'utf8'),
  );

  it('reads a tasks.md in the style of spec-kit\'s template without problems', () => {
    expect(upstream.problems).toEqual([]);
    expect(upstream.title).toBe('Tasks: Photo albums');
    expect(upstream.tasks.map(t => t.id)).toEqual([
      'T001', 'T002', 'T003', 'T004', 'T005', 'T006', 'T007', 'T008', 'T009', 'T010', 'T011',
      'T012', 'T013', 'T014', 'T015',
    ]);
  });

  it('reads the phases in order, with their numbers', () => {
    expect(upstream.phases.map(p => [p.number, p.title])).toEqual([
      [1, 'Phase 1: Setup (Shared Infrastructure)'],
      [2, 'Phase 2: Foundational (Blocking Prerequisites)'],
      [3, 'Phase 3: User Story 1 - Organize photos into albums (Priority: P1) 🎯 MVP'],
      [4, 'Phase 4: User Story 2 - Browse albums by date (Priority: P2)'],
      [5, 'Phase 5: Polish & Cross-Cutting Concerns'],
    ]);
    const phaseOf = (id: string) => upstream.tasks.find(t => t.id === id)!.phaseNumber;
    expect(['T001', 'T004', 'T007', 'T011', 'T012', 'T015'].map(phaseOf)).toEqual([1, 2, 3, 3, 4, 5]);
    // A sub-heading inside a phase is the section, not a new phase.
    expect(upstream.tasks.find(t => t.id === 'T009')).toMatchObject({
      phase: 'Phase 3: User Story 1 - Organize photos into albums (Priority: P1) 🎯 MVP',
      section: 'Implementation for User Story 1',
    });
  });

  it('keeps [P], the story label and the done state; [x] and [X] are both done', () => {
    expect(upstream.tasks.filter(t => t.done).map(t => t.id)).toEqual(['T001', 'T002', 'T011']);
    expect(upstream.tasks.filter(t => t.parallel).map(t => t.id)).toEqual([
      'T003', 'T005', 'T006', 'T007', 'T008', 'T012', 'T014',
    ]);
    expect(upstream.tasks.filter(t => t.story === 'US1').map(t => t.id)).toEqual([
      'T007', 'T008', 'T009', 'T010', 'T011',
    ]);
    expect(upstream.tasks.find(t => t.id === 'T007')).toMatchObject({
      markers: ['P', 'US1'],
      description: 'Contract test for POST /albums in tests/contract/albums.test.ts',
      async: false,
      sync: false,
    });
    // Upstream has no [SYNC]/[ASYNC]: nothing is selected for agents unless [P] ones are asked for.
    expect(selectTasks(upstream.tasks, { includeParallel: false })).toEqual([]);
    expect(selectTasks(upstream.tasks, { includeParallel: true }).map(t => t.id)).toEqual([
      'T003', 'T005', 'T006', 'T007', 'T008', 'T012', 'T014',
    ]);
  });

  it('collects "depends on" mentions from the task line, its notes and dependency notes', () => {
    const deps = Object.fromEntries(
      upstream.tasks.filter(t => t.dependsOn.length > 0).map(t => [t.id, t.dependsOn]),
    );
    expect(deps).toEqual({
      T008: ['T007'],
      T009: ['T005'],
      T010: ['T009', 'T004'],
      T013: ['T012'],
    });
  });

  it('reads checkpoints with the phase they close', () => {
    expect(upstream.checkpoints.map(c => [c.phase?.slice(0, 7), c.text])).toEqual([
      ['Phase 2', 'Foundation ready - user story implementation can now begin in parallel'],
      ['Phase 3', 'At this point, User Story 1 should be fully functional and testable independently'],
      ['Phase 4', 'User Stories 1 AND 2 should both work independently'],
    ]);
  });

  it('never reads a task inside a fenced example, even a malformed one', () => {
    expect(upstream.tasks.filter(t => t.id === 'T007')).toHaveLength(1);
    expect(upstream.tasks.find(t => t.id === 'T099')).toBeUndefined();
  });
});

describe('the [SYNC]/[ASYNC] triage of the agentic-SDLC fork', () => {
  const fork = parseTasks(
    fs.readFileSync(path.join(__dirname, '__fixtures__/agentic-sdlc-tasks.md'), 'utf8'),
  );

  it('accepts [SYNC] as a marker for a human task, in any position', () => {
    expect(fork.problems).toEqual([]);
    expect(fork.tasks.map(t => [t.id, t.sync, t.async])).toEqual([
      ['T001', true, false],
      ['T002', false, true],
      ['T003', false, true],
      ['T004', true, false],
      ['T005', false, true],
      ['T006', true, false],
    ]);
    expect(fork.tasks.find(t => t.id === 'T006')).toMatchObject({
      markers: ['US1', 'SYNC'],
      story: 'US1',
      dependsOn: ['T005'],
      phaseNumber: 3,
    });
    expect(fork.checkpoints.map(c => c.text)).toEqual(['templates exist']);
  });

  it('hands only open [ASYNC] tasks to agents; [SYNC] ones stay with the human even with [P]', () => {
    expect(selectTasks(fork.tasks, { includeParallel: false }).map(t => t.id)).toEqual([
      'T002', 'T003', 'T005',
    ]);
    expect(selectTasks(fork.tasks, { includeParallel: true }).map(t => t.id)).toEqual([
      'T002', 'T003', 'T005',
    ]);
  });

  it('reports a task marked both [SYNC] and [ASYNC], and dependencies on unknown tasks', () => {
    const { tasks, problems } = parseTasks(
      [
        '## Phase 1: Setup',
        '- [ ] T001 [SYNC] [ASYNC] Both at once',
        '- [ ] T002 [ASYNC] Fine, but depends on T042',
        '- [ ] T003 [SYNC] Fine',
        '',
        '- T077 depends on T003',
      ].join('\n'),
    );
    expect(tasks.map(t => t.id)).toEqual(['T002', 'T003']);
    expect(problems.map(p => [p.line, p.message])).toEqual([
      [2, 'task T001 is marked both [SYNC] and [ASYNC]'],
      [3, 'task T002 depends on unknown task T042'],
      [6, 'dependency note names unknown task T077'],
    ]);
  });
});

describe('the example spec of the development setup', () => {
  it('parses cleanly and hands its three open [ASYNC] tasks to agents, in three waves', () => {
    const file = path.join(__dirname, '../../../../examples/specs/001-refunds/tasks.md');
    const parsed = parseTasks(fs.readFileSync(file, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(selectTasks(parsed.tasks, { includeParallel: false }).map(t => t.id)).toEqual(['T002', 'T003', 'T005']);
    // T003 depends on T002; T005's phase comes after theirs.
    const plan = planWaves(parsed, { includeParallel: false });
    expect(plan.waves.map(w => w.tasks.map(t => t.id))).toEqual([['T002'], ['T003'], ['T005']]);
    expect(plan.blocked).toEqual([]);
  });
});
