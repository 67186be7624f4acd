import type { SpeckitTask } from './parseTasks';

/** The agents API accepts prompts of at most this many characters. */
export const MAX_PROMPT_LENGTH = 32_000;
const CONTEXT_BUDGET = 12_000;
// Past this many upstream tasks, the prompt names the count: the agent can read tasks.md.
const MAX_UPSTREAM_LISTED = 40;

function excerpt(text: string | undefined, path: string): string {
  if (text === undefined) return `(${path} was not found in the repository.)`;
  const trimmed = text.trim();
  if (trimmed.length <= CONTEXT_BUDGET) return trimmed;
  return `${trimmed.slice(
    0,
    CONTEXT_BUDGET,
  )}\n\n(… truncated; read the whole of ${path} in the repository.)`;
}

function upstreamSection(
  upstream: SpeckitTask[],
  integrationBranch: string | undefined,
): string[] {
  if (upstream.length === 0) return [];
  const listed = upstream.slice(0, MAX_UPSTREAM_LISTED);
  const more = upstream.length - listed.length;
  return [
    '## Done before you',
    '',
    `Your base branch${
      integrationBranch ? ` (${integrationBranch})` : ''
    } holds the work of the earlier waves; build on it rather than redoing it:`,
    '',
    ...listed.map(
      t =>
        `- ${t.id}${
          t.path ? ` (${t.path})` : ''
        } is done and merged into your base branch`,
    ),
    ...(more > 0 ? [`- and ${more} more task(s) of tasks.md`] : []),
    '',
  ];
}

/**
 * The prompt of the session that implements one task of a spec-kit feature. With `wave`, the task
 * runs in a fan-out in waves: its base branch is the integration branch, holding `upstream`'s work.
 */
export function buildTaskPrompt(opts: {
  feature: string;
  task: SpeckitTask;
  spec?: string;
  plan?: string;
  /** The tasks whose work is in the base branch (`planWaves`' `upstream` of the task). */
  upstream?: SpeckitTask[];
  /** The task's wave, in a fan-out that runs in waves. */
  wave?: number;
  /** The fan-out's integration branch, the task's base branch. */
  integrationBranch?: string;
}): string {
  const { feature, task, wave } = opts;
  const dir = `specs/${feature}`;
  const where = [
    task.phase && `phase: ${task.phase}`,
    task.story && `user story: ${task.story}`,
    wave !== undefined && `wave ${wave}`,
  ]
    .filter(Boolean)
    .join('; ');
  const others =
    wave !== undefined
      ? `Other agents implement the other tasks of wave ${wave} in parallel, each on its own branch; later waves start from your work once this wave is merged.`
      : "Other agents implement the feature's other tasks in parallel, each on its own branch.";
  const lines = [
    `Implement task ${task.id} of the spec-kit feature "${feature}" in this repository.`,
    '',
    `## Task ${task.id}${where ? ` (${where})` : ''}`,
    '',
    task.description,
    ...task.details.map(d => `  ${d}`),
    '',
    ...upstreamSection(opts.upstream ?? [], opts.integrationBranch),
    '## How to work',
    '',
    `- Implement only ${task.id}. ${others}`,
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
