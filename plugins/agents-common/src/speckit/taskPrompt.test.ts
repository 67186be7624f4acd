import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTasks } from './parseTasks';
import { planWaves } from './planWaves';
import { buildTaskPrompt, MAX_PROMPT_LENGTH } from './taskPrompt';

const parsed = parseTasks(
  readFileSync(join(__dirname, '__fixtures__', 'waves-tasks.md'), 'utf8'),
);
const plan = planWaves(parsed, { includeParallel: false });
const task = (id: string) => parsed.tasks.find(t => t.id === id)!;

describe('buildTaskPrompt', () => {
  it('names the upstream tasks with their paths, and says the base branch holds the earlier waves', () => {
    const prompt = buildTaskPrompt({
      feature: '002-refunds',
      task: task('T005'),
      spec: 'Refunds spec',
      plan: 'Refunds plan',
      upstream: plan.upstream.T005,
      wave: 3,
      integrationBranch: 'specs/002-refunds/integration',
    });
    expect(prompt).toContain(
      '## Task T005 (phase: Phase 2: User Story 1 - Refund a payment (Priority: P1) 🎯 MVP; user story: US1; wave 3)',
    );
    expect(prompt).toContain(
      'Your base branch (specs/002-refunds/integration) holds the work of the earlier waves',
    );
    expect(prompt).toContain(
      '- T004 (tests/contract/refunds.test.ts) is done and merged into your base branch',
    );
    expect(prompt).toContain(
      '- T002 (migrations/20260101_refunds.js) is done and merged',
    );
    expect(prompt).toContain('other tasks of wave 3 in parallel');
    expect(prompt).toContain('Refunds spec');
  });

  it('keeps the all-at-once prompt without a wave, and says when spec.md is missing', () => {
    const prompt = buildTaskPrompt({
      feature: '002-refunds',
      task: task('T002'),
    });
    expect(prompt).not.toContain('Done before you');
    expect(prompt).toContain(
      "Other agents implement the feature's other tasks in parallel",
    );
    expect(prompt).toContain(
      '(specs/002-refunds/spec.md was not found in the repository.)',
    );
  });

  it('stays within the API limit', () => {
    const prompt = buildTaskPrompt({
      feature: 'f',
      task: task('T002'),
      spec: 'x'.repeat(40_000),
      plan: 'y'.repeat(40_000),
    });
    expect(prompt.length).toBeLessThanOrEqual(MAX_PROMPT_LENGTH);
    expect(prompt).toContain(
      '(… truncated; read the whole of specs/f/spec.md in the repository.)',
    );
  });
});
