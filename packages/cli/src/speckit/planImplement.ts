import {
  parseTasks,
  planWaves,
  selectTasks,
  type SpeckitWavePlan,
} from '@backstage-agents/plugin-agents-common';
import { InputError } from '@backstage/errors';
import { CliError } from '../errors';
import type { LocalSpec } from './readLocalSpec';

/**
 * The waves `implement` would start, or a CliError that says what to fix in tasks.md: malformed
 * lines, a dependency cycle, no open [ASYNC] task, nothing startable, more tasks than `maxTasks`.
 */
export function planImplement(
  spec: LocalSpec,
  options: { includeParallel: boolean; maxTasks: number },
): SpeckitWavePlan {
  const parsed = parseTasks(spec.tasks);
  if (parsed.problems.length > 0) {
    throw new CliError(
      `${spec.tasksPath} has ${
        parsed.problems.length
      } malformed task line(s); fix them and run implement again:\n${parsed.problems
        .map(p => `  line ${p.line}: ${p.message}: ${p.text}`)
        .join('\n')}`,
    );
  }
  const selected = selectTasks(parsed.tasks, options);
  if (selected.length === 0) {
    throw new CliError(
      `${
        spec.tasksPath
      } has no open [ASYNC] task to hand to agents: mark a task for an agent with [ASYNC] after its id, e.g. "- [ ] T005 [ASYNC] Implement the service (src/service.ts)"${
        options.includeParallel
          ? ''
          : ', or pass --include-parallel to hand out the [P] tasks too'
      }`,
    );
  }
  let plan: SpeckitWavePlan;
  try {
    plan = planWaves(parsed, options);
  } catch (error) {
    if (error instanceof InputError)
      throw new CliError(`${spec.tasksPath}: ${error.message}`);
    throw error;
  }
  const planned = plan.waves.reduce((n, w) => n + w.tasks.length, 0);
  if (planned === 0) {
    throw new CliError(
      `Nothing to start in ${
        spec.tasksPath
      }: every open [ASYNC] task waits for a task that is not an agent's:\n${plan.blocked
        .map(b => `  ${b.task.id}: ${b.reason}`)
        .join('\n')}`,
    );
  }
  if (planned > options.maxTasks) {
    throw new CliError(
      `${planned} tasks would each start an agent session, more than --max-tasks (${options.maxTasks}); raise --max-tasks or split the feature`,
    );
  }
  return plan;
}
