import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTasks } from './parseTasks';
import { planWaves } from './planWaves';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '__fixtures__', name), 'utf8');

const ids = (tasks: Array<{ id: string }>) => tasks.map(t => t.id);

function plan(markdown: string, includeParallel = false) {
  const parsed = parseTasks(markdown);
  expect(parsed.problems).toEqual([]);
  return planWaves(parsed, { includeParallel });
}

describe('planWaves', () => {
  it('plans the refunds feature: phases in order, "depends on" one wave later, [SYNC] blocks', () => {
    const result = plan(fixture('waves-tasks.md'));
    expect(
      result.waves.map(w => ({
        wave: w.wave,
        phases: w.phases,
        tasks: ids(w.tasks),
      })),
    ).toEqual([
      { wave: 1, phases: ['Phase 1: Setup'], tasks: ['T002', 'T003'] },
      {
        wave: 2,
        phases: [
          'Phase 2: User Story 1 - Refund a payment (Priority: P1) 🎯 MVP',
        ],
        tasks: ['T004', 'T006'],
      },
      {
        wave: 3,
        phases: [
          'Phase 2: User Story 1 - Refund a payment (Priority: P1) 🎯 MVP',
        ],
        tasks: ['T005'],
      },
    ]);
    expect(result.blocked.map(b => [b.task.id, b.reason])).toEqual([
      [
        'T008',
        'waits for T007 [SYNC] (line 31), still open: do it, check it off, and run implement again',
      ],
      [
        'T009',
        'waits for T007 [SYNC] (line 31), still open: do it, check it off, and run implement again',
      ],
    ]);
  });

  it("gives each task its upstream: earlier waves' tasks and the done tasks it depends on", () => {
    const { upstream } = plan(fixture('waves-tasks.md'));
    expect(ids(upstream.T002)).toEqual([]);
    expect(ids(upstream.T006)).toEqual(['T001', 'T002', 'T003']);
    expect(ids(upstream.T005)).toEqual(['T002', 'T003', 'T004', 'T006']);
    expect(upstream.T004[0].path).toBe('migrations/20260101_refunds.js');
  });

  it('ignores the tasks of a fenced example', () => {
    const { waves, blocked } = plan(fixture('waves-tasks.md'));
    const all = [...waves.flatMap(w => w.tasks), ...blocked.map(b => b.task)];
    expect(ids(all)).not.toContain('T011');
  });

  it('starts at the first phase with open tasks to hand out', () => {
    const { waves } = plan(
      [
        '## Phase 1: Setup',
        '- [x] T001 Done already',
        '## Phase 2: Core',
        '- [ ] T002 [ASYNC] First',
        '- [ ] T003 [ASYNC] Second, depends on T002',
        '- [ ] T004 [ASYNC] Third, depends on T003',
        '## Phase 3: Polish',
        '- [ ] T005 [ASYNC] Docs',
      ].join('\n'),
    );
    expect(waves.map(w => [w.wave, ids(w.tasks)])).toEqual([
      [1, ['T002']],
      [2, ['T003']],
      [3, ['T004']],
      [4, ['T005']],
    ]);
  });

  it('blocks on an unmarked open task, and hands out [P] tasks only with includeParallel', () => {
    const markdown = [
      '## Phase 1: Setup',
      '- [ ] T001 [ASYNC] Scaffold',
      '- [ ] T002 [P] Lint config',
      '- [ ] T003 [ASYNC] Needs the lint config, depends on T002',
      '## Phase 2: Core',
      '- [ ] T004 [ASYNC] Core',
    ].join('\n');
    const strict = plan(markdown);
    expect(strict.waves.map(w => ids(w.tasks))).toEqual([['T001']]);
    expect(strict.blocked.map(b => b.task.id)).toEqual(['T003', 'T004']);
    expect(strict.blocked[0].reason).toBe(
      'waits for T002 (line 3), open and not marked [ASYNC]: do it and check it off (or mark it [ASYNC]), and run implement again',
    );
    const parallel = plan(markdown, true);
    expect(parallel.waves.map(w => ids(w.tasks))).toEqual([
      ['T001', 'T002'],
      ['T003'],
      ['T004'],
    ]);
    expect(parallel.blocked).toEqual([]);
  });

  it('blocks a task that depends on a blocked task, transitively, but not its independent siblings', () => {
    const { waves, blocked } = plan(
      [
        '## Phase 1: Core',
        '- [ ] T001 [SYNC] Decide the currency rules',
        '- [ ] T002 [ASYNC] Apply them, depends on T001',
        '- [ ] T003 [ASYNC] Test them, depends on T002',
        '- [ ] T004 [ASYNC] Independent',
      ].join('\n'),
    );
    expect(waves.map(w => ids(w.tasks))).toEqual([['T004']]);
    expect(blocked.map(b => [b.task.id, b.reason.slice(0, 30)])).toEqual([
      ['T002', 'waits for T001 [SYNC] (line 2)'],
      ['T003', 'waits for T001 [SYNC] (line 2)'],
    ]);
  });

  it('refuses a dependency cycle, naming the tasks and their lines', () => {
    const parsed = parseTasks(
      [
        '## Phase 1: Core',
        '- [ ] T001 [ASYNC] A, depends on T003',
        '- [ ] T002 [ASYNC] B, depends on T001',
        '- [ ] T003 [ASYNC] C, depends on T002',
      ].join('\n'),
    );
    expect(() => planWaves(parsed, { includeParallel: false })).toThrow(
      'tasks.md has a dependency cycle: T001 (line 2) depends on T003 (line 4) depends on T002 (line 3) depends on T001 (line 2)',
    );
  });

  it('ignores a "cycle" through a done task, which is satisfied', () => {
    const { waves } = plan(
      [
        '## Phase 1: Core',
        '- [x] T001 A, depends on T002',
        '- [ ] T002 [ASYNC] B, depends on T001',
      ].join('\n'),
    );
    expect(waves.map(w => ids(w.tasks))).toEqual([['T002']]);
  });

  it('refuses an open task depending on an open task of a later phase', () => {
    const parsed = parseTasks(
      [
        '## Phase 1: Setup',
        '- [ ] T001 [ASYNC] A, depends on T002',
        '## Phase 2: Core',
        '- [ ] T002 [ASYNC] B',
      ].join('\n'),
    );
    expect(() => planWaves(parsed, { includeParallel: false })).toThrow(
      /T001 \(line 2\) depends on T002 \(line 4\), which is in a later phase \(Phase 2: Core\)/,
    );
  });

  it("plans nothing when every task is done or a human's", () => {
    const result = plan(
      ['## Phase 1', '- [x] T001 [ASYNC] Done', '- [ ] T002 [SYNC] Human'].join(
        '\n',
      ),
    );
    expect(result).toEqual({ waves: [], blocked: [], upstream: {} });
  });
});
