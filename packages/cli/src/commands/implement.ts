import { dirname } from 'node:path';
import type { Command } from 'commander';
import {
  normalizeEntityRef,
  type AgentsHarnessName,
  type AgentsSession,
  type SpeckitWavePlan,
} from '@backstage-agents/plugin-agents-common';
import type { CommandEnv, CommandRunner } from './types';
import { CliError } from '../errors';
import { EXIT } from '../outcome';
import { fanOutExitCode, countTasks } from '../fanout/fanOutTasks';
import { followFanOut } from '../fanout/followFanOut';
import { printFanOutSummary } from '../fanout/printFanOut';
import { findEntityByOrigin } from '../speckit/findEntityByOrigin';
import { normalizeRepoUrl, readGitOrigin } from '../speckit/gitOrigin';
import {
  branchName,
  fanOutRequest,
  taskRequests,
  type ImplementTarget,
} from '../speckit/implementRequests';
import { planImplement } from '../speckit/planImplement';
import { readLocalSpec, type LocalSpec } from '../speckit/readLocalSpec';

export const DEFAULT_BRANCH_PATTERN = 'specs/{feature}/{taskId}-async';
export const DEFAULT_INTEGRATION_BRANCH = 'specs/{feature}/integration';

type ImplementOptions = {
  entity?: string;
  harness?: string;
  template?: string;
  includeParallel?: boolean;
  maxTasks: number;
  branchPattern: string;
  integrationBranch: string;
  detach?: boolean;
  cancelOnExit?: boolean;
};

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new CliError(`--max-tasks '${value}' is not a positive whole number`);
  }
  return n;
}

/**
 * Refuses, before anything starts, an entity the caller may not start sessions on and one whose
 * repository is not the checkout's that tasks.md was read from. The launch options name the
 * repository through the agents API alone, so a token limited to the agents plugin suffices.
 */
async function checkEntity(
  env: CommandEnv,
  spec: LocalSpec,
  entityRef: string,
  templateRef: string | undefined,
) {
  const options = await env.conn.client.getLaunchOptions(entityRef, {
    ...env.conn.auth,
    templateRef,
  });
  if (!options.canCreate) {
    throw new CliError(
      `You may not start sessions on ${entityRef}: ${options.reason ?? 'the backend refused'}`,
    );
  }
  const origin = await readGitOrigin(dirname(spec.tasksPath));
  const repository = options.repository;
  const same =
    repository &&
    [repository.url, repository.cloneUrl].some(
      url => normalizeRepoUrl(url) === normalizeRepoUrl(origin),
    );
  if (!same) {
    const repoUrl = repository?.url ?? 'unknown';
    throw new CliError(
      `Entity ${entityRef}'s repository is ${repoUrl}, but ${spec.tasksPath} is in a checkout of ${origin}: the agents would work on another repository than this tasks.md's. Pass the entity of this repository with --entity, or run implement in a clone of ${repoUrl}`,
    );
  }
}

function printPlan(
  env: CommandEnv,
  spec: LocalSpec,
  plan: SpeckitWavePlan,
  fanOut: AgentsSession,
) {
  const { out } = env;
  if (out.json) {
    out.value({
      type: 'fanout',
      feature: spec.feature,
      session: fanOut,
      waves: plan.waves.map(w => ({
        wave: w.wave,
        phases: w.phases,
        taskIds: w.tasks.map(t => t.id),
      })),
      blocked: plan.blocked.map(b => ({
        taskId: b.task.id,
        line: b.task.line,
        reason: b.reason,
      })),
    });
    return;
  }
  const count = plan.waves.reduce((n, w) => n + w.tasks.length, 0);
  out.line(
    `${out.bold(`Fan-out ${fanOut.id}`)} on ${fanOut.entityRef}: ${
      spec.feature
    }, ${count} task(s) in ${plan.waves.length} wave(s), merged into ${
      fanOut.integrationBranch
    }`,
  );
  for (const w of plan.waves) {
    out.line(
      `  wave ${w.wave} (${w.phases.join(', ')}): ${w.tasks
        .map(t => t.id)
        .join(', ')}`,
    );
  }
  if (plan.blocked.length > 0) {
    out.line(out.yellow('Blocked, not started:'));
    for (const b of plan.blocked) out.line(`  ${b.task.id}: ${b.reason}`);
  }
}

async function implement(
  env: CommandEnv,
  path: string,
  opts: ImplementOptions,
): Promise<number> {
  const { ctx, conn, out } = env;
  if (!opts.branchPattern.includes('{taskId}')) {
    throw new CliError(
      `--branch-pattern '${opts.branchPattern}' must contain {taskId}: every task pushes to a branch of its own`,
    );
  }
  // Everything that can be refused is checked before anything starts.
  const spec = await readLocalSpec(path, ctx.cwd ?? process.cwd());
  const plan = planImplement(spec, {
    includeParallel: Boolean(opts.includeParallel),
    maxTasks: opts.maxTasks,
  });
  // Without --entity, the entity is the one the catalog has for the checkout's origin remote.
  const entityRef = opts.entity
    ? normalizeEntityRef(opts.entity)
    : await findEntityByOrigin(
        ctx,
        conn,
        await readGitOrigin(dirname(spec.tasksPath)),
      );
  await checkEntity(env, spec, entityRef, opts.template);

  const target: ImplementTarget = {
    entityRef,
    harness: opts.harness as AgentsHarnessName | undefined,
    templateRef: opts.template,
    branchPattern: opts.branchPattern,
    integrationBranch: branchName(opts.integrationBranch, spec.feature),
  };
  const fanOut = await conn.client.createSession(
    fanOutRequest(spec, plan, target),
    conn.auth,
  );
  printPlan(env, spec, plan, fanOut);
  // Ctrl-C does not stop this loop: a fan-out missing its first waves' tasks would never move on.
  for (const { taskId, wave, request } of taskRequests(
    spec,
    plan,
    target,
    fanOut.id,
  )) {
    const session = await conn.client.createSession(request, conn.auth);
    if (out.json) out.value({ type: 'task', taskId, wave, session });
    else
      out.line(
        out.dim(
          `  ${taskId} → session ${session.id} on ${session.workBranch} (wave ${wave})`,
        ),
      );
  }

  if (opts.detach && !ctx.signal?.aborted) {
    if (!out.json) {
      out.line();
      out.line(
        `The fan-out goes on. Follow it with: backstage-agents logs --fan-out ${fanOut.id} -f`,
      );
    }
    return EXIT.SUCCEEDED;
  }
  const result = ctx.signal?.aborted
    ? { detached: true as const }
    : await followFanOut(env, fanOut.id);
  if (result.detached) return leave(env, fanOut.id, Boolean(opts.cancelOnExit));
  printFanOutSummary(out, result.fanOut, result.tasks);
  return fanOutExitCode(countTasks(result.fanOut, result.tasks));
}

/** After Ctrl-C: leave the fan-out running, or cancel it with --cancel-on-exit. */
async function leave(
  env: CommandEnv,
  fanOutId: string,
  cancel: boolean,
): Promise<number> {
  const { conn, out } = env;
  if (!cancel) {
    if (out.json) out.value({ type: 'detached', fanOutId });
    else
      out.progress(
        `Detached; the fan-out goes on. Re-attach with: backstage-agents logs --fan-out ${fanOutId} -f`,
      );
    return EXIT.SUCCEEDED;
  }
  const cancelled = await conn.client.cancelSession(fanOutId, conn.auth);
  if (out.json) out.value({ type: 'cancelled', fanOutId, session: cancelled });
  else
    out.progress(
      `Cancelled the fan-out ${fanOutId} and its unfinished tasks (--cancel-on-exit).`,
    );
  return EXIT.CANCELLED;
}

export function registerImplement(program: Command, run: CommandRunner): void {
  program
    .command('implement')
    .description(
      'Hand the open [ASYNC] tasks of a spec-kit tasks.md to agents: one fan-out in waves (phases in order, "depends on" one wave later), one session per task, then follow them all',
    )
    .argument(
      '<tasks>',
      "the tasks.md of a spec-kit feature in a checkout of the entity's repository, e.g. specs/002-refunds/tasks.md",
    )
    .option(
      '--entity <ref>',
      "the catalog entity of this repository (kind:namespace/name); default: the one the catalog has for the checkout's origin remote",
    )
    .option('--harness <name>', "the agent harness (default: the policy's)")
    .option(
      '--template <ref>',
      'the agent template the sessions are launched from',
    )
    .option('--include-parallel', 'also hand out the open [P] tasks')
    .option(
      '--max-tasks <n>',
      'refuse to start more sessions than this',
      positiveInteger,
      50,
    )
    .option(
      '--branch-pattern <pattern>',
      'the work branch of each task ({feature}, {taskId})',
      DEFAULT_BRANCH_PATTERN,
    )
    .option(
      '--integration-branch <branch>',
      'the branch the waves are merged into ({feature})',
      DEFAULT_INTEGRATION_BRANCH,
    )
    .option('--detach', 'start the fan-out and its tasks, print them, and exit')
    .option(
      '--cancel-on-exit',
      'on Ctrl-C, cancel the fan-out instead of leaving it running',
    )
    .addHelpText(
      'after',
      `
Before starting anything, implement refuses (exit 3) a missing tasks.md, malformed task lines, no open
[ASYNC] task, a dependency cycle, more tasks than --max-tasks, and an entity whose repository is not the
checkout's origin remote. Tasks waiting for an open [SYNC] (human) task are listed as blocked, not started.
Exit: 0 every task succeeded, 1 a task failed or timed out, 2 cancelled. Ctrl-C detaches (the fan-out
goes on; re-attach with: backstage-agents logs --fan-out <id> -f), or cancels it with --cancel-on-exit.`,
    )
    .action((path: string, opts: ImplementOptions, command: Command) =>
      run(command, env => implement(env, path, opts)),
    );
}
