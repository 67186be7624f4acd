import type { SpeckitTask } from '@backstage-agents/plugin-agents-common';

/** The agents API accepts prompts of at most this many characters. */
export const MAX_PROMPT_LENGTH = 32_000;
const CONTEXT_BUDGET = 12_000;

function excerpt(text: string | undefined, path: string): string {
  if (text === undefined) return `(${path} was not found in the repository.)`;
  const trimmed = text.trim();
  if (trimmed.length <= CONTEXT_BUDGET) return trimmed;
  return `${trimmed.slice(0, CONTEXT_BUDGET)}\n\n(… truncated; read the whole of ${path} in the repository.)`;
}

/** The prompt of the session that implements one task of a spec-kit feature. */
export function buildTaskPrompt(opts: {
  feature: string;
  task: SpeckitTask;
  spec?: string;
  plan?: string;
}): string {
  const { feature, task } = opts;
  const dir = `specs/${feature}`;
  const where = [task.phase && `phase: ${task.phase}`, task.story && `user story: ${task.story}`]
    .filter(Boolean)
    .join('; ');
  const lines = [
    `Implement task ${task.id} of the spec-kit feature "${feature}" in this repository.`,
    '',
    `## Task ${task.id}${where ? ` (${where})` : ''}`,
    '',
    task.description,
    ...task.details.map(d => `  ${d}`),
    '',
    '## How to work',
    '',
    `- Implement only ${task.id}. Other agents implement the feature's other tasks in parallel, each on its own branch.`,
    `- The full task list is ${dir}/tasks.md; read it for context and dependencies, but leave it unchanged (tasks are checked off when their pull requests are merged).`,
    '- Follow the plan and the specification below; add or update tests for what you change.',
    '',
    `## Specification (${dir}/spec.md)`,
    '',
    excerpt(opts.spec, `${dir}/spec.md`),
    '',
    `## Plan (${dir}/plan.md)`,
    '',
    excerpt(opts.plan, `${dir}/plan.md`),
  ];
  return lines.join('\n').slice(0, MAX_PROMPT_LENGTH);
}
