import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  buildTaskPrompt,
  normalizeEntityRef,
  parseTasks,
  planWaves,
  selectTasks,
  type SpeckitTask,
  type SpeckitWavePlan,
} from '@backstage-agents/plugin-agents-common';
import { readRepoUrlRewrites } from '@backstage-agents/plugin-agents-node';
import { readSpecFiles } from '../speckit/readSpecFiles';
import { findEntityByRepoUrl } from './entities';
import { implementSpecExamples } from './implementSpec.examples';
import {
  createApi,
  DRY_RUN_SESSION_ID,
  HARNESSES,
  idempotencyKey,
  sessionUrl,
  type AgentsActionsOptions,
} from './shared';

export const IMPLEMENT_SPEC_ACTION_ID = 'agents:speckit:implement';
export const DEFAULT_BRANCH_PATTERN = 'specs/{feature}/{taskId}-async';
export const DEFAULT_INTEGRATION_BRANCH = 'specs/{feature}/integration';

const FEATURE = /^[A-Za-z0-9][\w.-]*$/;

/** One session the action started (or found started by an earlier attempt of the task). */
interface ChildSession {
  taskId: string;
  sessionId: string;
  sessionUrl: string;
  status: string;
  workBranch?: string;
  wave?: number;
  [key: string]: string | number | undefined;
}

/** A task to start: its wave and the tasks whose work its base branch holds (with waves only). */
interface PlannedTask {
  task: SpeckitTask;
  wave?: number;
  upstream?: SpeckitTask[];
}

/** The tasks to start, in the order to create them: last wave first, so no wave ends before the next exists. */
function creationOrder(plan: SpeckitWavePlan): PlannedTask[] {
  return [...plan.waves]
    .reverse()
    .flatMap(({ wave, tasks }) => tasks.map(task => ({ task, wave, upstream: plan.upstream[task.id] })));
}

/**
 * `agents:speckit:implement`: reads a spec-kit feature's tasks.md from the component's repository,
 * creates a fan-out session, and starts one child session per open `[ASYNC]` task (and `[P]` task
 * when asked) under it, one request after the other. By default the fan-out runs in waves on an
 * integration branch (`planWaves`: phases in order, "depends on" one wave later, tasks waiting for a
 * human's open task not started); with `waves: false` every task starts at once from the base branch.
 * Every request is checkpointed and idempotent, so a retried task starts only what is missing.
 */
export function createImplementSpecAction(options: AgentsActionsOptions) {
  const api = createApi(options);
  const integrations = ScmIntegrations.fromConfig(options.config);
  return createTemplateAction({
    id: IMPLEMENT_SPEC_ACTION_ID,
    description:
      "Starts one agent session per open [ASYNC] task of a spec-kit feature's specs/<feature>/tasks.md, each on its own branch with the task, the spec and the plan, grouped under one fan-out session, under the policy bound to this template.",
    examples: implementSpecExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z.string().optional().describe('The component whose repository holds the spec. Give this or repoUrl.'),
        repoUrl: z =>
          z.string().optional().describe('The repository holding the spec; resolved to the catalog entity that annotates it.'),
        feature: z => z.string().min(1).describe('The feature directory under specs/, e.g. 001-ledger.'),
        includeParallel: z =>
          z.boolean().optional().describe('Also start sessions for open [P] tasks (default false).'),
        branchPattern: z =>
          z
            .string()
            .optional()
            .describe(
              `The work branch of each task's session, with {feature} and {taskId} replaced (default ${DEFAULT_BRANCH_PATTERN}).`,
            ),
        harness: z =>
          z
            .union([z.enum(HARNESSES), z.literal('')])
            .optional()
            .describe("The agent harness; the policy's default when left out or empty."),
        maxTasks: z =>
          z.number().int().positive().optional().describe('Refuse to start more sessions than this (default 50).'),
        waves: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Run the tasks in waves on an integration branch: phases in file order, a task that "depends on" another one wave after it, tasks waiting for an open [SYNC] task not started (default true). false starts every task at once from the base branch.',
            ),
        integrationBranch: z =>
          z
            .string()
            .optional()
            .describe(
              `With waves: the branch the tasks start from and each wave is merged into, with {feature} replaced (default ${DEFAULT_INTEGRATION_BRANCH}).`,
            ),
      },
      output: {
        fanOutSessionId: z =>
          z.string().optional().describe('The fan-out session that groups the sessions (absent when no task was open).'),
        fanOutSessionUrl: z =>
          z.string().optional().describe("The fan-out session's page, which shows every task's session."),
        sessions: z =>
          z
            .array(
              z.object({
                taskId: z.string(),
                sessionId: z.string(),
                sessionUrl: z.string(),
                status: z.string(),
                workBranch: z.string().optional(),
                wave: z.number().optional(),
              }),
            )
            .describe('One entry per task handed to an agent, in the order of tasks.md.'),
        integrationBranch: z =>
          z.string().optional().describe('With waves: the branch the waves are merged into.'),
        waves: z =>
          z
            .array(z.object({ wave: z.number(), phases: z.array(z.string()), taskIds: z.array(z.string()) }))
            .optional()
            .describe('With waves: the waves, wave 1 first.'),
        blocked: z =>
          z
            .array(z.object({ taskId: z.string(), line: z.number(), reason: z.string() }))
            .optional()
            .describe('With waves: the open tasks not started because they wait for a task that is not an agent\'s.'),
      },
    },
    async handler(ctx) {
      const { input, logger } = ctx;
      const feature = input.feature.trim();
      if (!FEATURE.test(feature) || feature.includes('..')) {
        throw new InputError(`feature '${input.feature}' is not a directory name under specs/ (e.g. 001-ledger)`);
      }
      const maxTasks = input.maxTasks ?? 50;
      const branchPattern = input.branchPattern?.trim() || DEFAULT_BRANCH_PATTERN;
      if (!branchPattern.includes('{taskId}')) {
        throw new InputError(
          `branchPattern '${branchPattern}' must contain {taskId}: every task's session pushes to a branch of its own`,
        );
      }
      const credentials = await ctx.getInitiatorCredentials();
      const templateRef = ctx.templateInfo?.entityRef;

      let entity: Entity | undefined;
      if (input.entityRef?.trim()) {
        const ref = normalizeEntityRef(input.entityRef);
        entity = await options.catalog.getEntityByRef(ref, { credentials });
        if (!entity) throw new NotFoundError(`Entity ${ref} was not found in the catalog`);
      } else if (input.repoUrl?.trim()) {
        entity = await findEntityByRepoUrl(input.repoUrl, options.catalog, credentials);
      } else {
        throw new InputError('Give either entityRef or repoUrl: the component whose repository holds the spec');
      }
      const entityRef = stringifyEntityRef(entity);

      const files = await readSpecFiles({
        entity,
        feature,
        urlReader: options.urlReader,
        integrations,
        rewrites: readRepoUrlRewrites(options.config),
      });
      const parsed = parseTasks(files.tasks);
      if (parsed.problems.length > 0) {
        throw new InputError(
          `${files.tasksUrl} has ${parsed.problems.length} malformed task line(s); fix them and run the template again:\n${parsed.problems
            .map(p => `  line ${p.line}: ${p.message}: ${p.text}`)
            .join('\n')}`,
        );
      }
      const includeParallel = input.includeParallel ?? false;
      const inWaves = input.waves ?? true;
      const selected = selectTasks(parsed.tasks, { includeParallel });
      const open = parsed.tasks.filter(t => !t.done).length;
      logger.info(
        `${files.tasksUrl}: ${parsed.tasks.length} tasks, ${open} open, ${selected.length} to hand to agents (${
          includeParallel ? '[ASYNC] and [P]' : '[ASYNC]'
        })`,
      );
      let planned: PlannedTask[] = selected.map(task => ({ task }));
      let integrationBranch: string | undefined;
      if (inWaves) {
        const plan = planWaves(parsed, { includeParallel });
        integrationBranch = (input.integrationBranch?.trim() || DEFAULT_INTEGRATION_BRANCH).replace(
          /\{feature\}/g,
          feature,
        );
        planned = creationOrder(plan);
        for (const w of plan.waves) {
          logger.info(`Wave ${w.wave} (${w.phases.join(', ')}): ${w.tasks.map(t => t.id).join(', ')}`);
        }
        for (const b of plan.blocked) logger.warn(`${b.task.id} is not started: it ${b.reason}`);
        ctx.output('integrationBranch', integrationBranch);
        ctx.output(
          'waves',
          plan.waves.map(w => ({ wave: w.wave, phases: w.phases, taskIds: w.tasks.map(t => t.id) })),
        );
        ctx.output(
          'blocked',
          plan.blocked.map(b => ({ taskId: b.task.id, line: b.task.line, reason: b.reason })),
        );
      }
      if (planned.length > maxTasks) {
        throw new InputError(
          `${planned.length} tasks would each start an agent session, more than maxTasks (${maxTasks}); raise maxTasks or split the feature`,
        );
      }
      if (planned.length === 0) {
        logger.warn(
          selected.length === 0
            ? 'No open task to hand to agents: mark tasks [ASYNC] (or set includeParallel for [P] tasks)'
            : 'No task can start now: every open task to hand to agents waits for a task that is not an agent\'s (see above)',
        );
        ctx.output('sessions', []);
        return;
      }

      const harness = input.harness || undefined;
      const ids = [...planned].sort((a, b) => a.task.line - b.task.line).map(p => p.task.id);
      const fanOutPrompt = `Implement the spec-kit feature "${feature}" of ${entityRef}: ${ids.length} task(s) from ${
        files.tasksUrl
      }, one agent session each (${ids.join(', ')})${
        integrationBranch ? `, in waves merged into ${integrationBranch}` : ''
      }.`;
      let fanOut: { id: string; status: string };
      if (ctx.isDryRun) {
        logger.info(`Dry run: would start a fan-out session on ${entityRef} grouping ${planned.length} task(s)`);
        fanOut = { id: DRY_RUN_SESSION_ID, status: 'dry-run' };
      } else {
        fanOut = await ctx.checkpoint({
          key: `agents.speckit.${ctx.step?.id ?? 'step'}.fanout`,
          fn: async () => {
            const s = await api.createSession(
              {
                entityRef,
                prompt: fanOutPrompt,
                kind: 'fanout',
                origin: 'speckit',
                harness,
                templateRef,
                integrationBranch,
                idempotencyKey: idempotencyKey(ctx.task.id, ctx.step?.id, feature, 'fanout'),
              },
              credentials,
            );
            return { id: s.id, status: s.status };
          },
        });
        logger.info(`Fan-out session ${fanOut.id} groups the task sessions: ${sessionUrl(options.config, fanOut.id)}`);
      }
      ctx.output('fanOutSessionId', fanOut.id);
      ctx.output('fanOutSessionUrl', sessionUrl(options.config, fanOut.id));

      const sessions: ChildSession[] = [];
      for (const { task, wave, upstream } of planned) {
        const branch = branchPattern.replace(/\{feature\}/g, feature).replace(/\{taskId\}/g, task.id);
        if (ctx.isDryRun) {
          logger.info(`Dry run: would start an agent session for ${task.id} on ${entityRef}, branch ${branch}`);
          sessions.push({
            taskId: task.id,
            sessionId: DRY_RUN_SESSION_ID,
            sessionUrl: sessionUrl(options.config, DRY_RUN_SESSION_ID),
            status: 'dry-run',
            workBranch: branch,
            ...(wave !== undefined ? { wave } : {}),
          });
          continue;
        }
        const prompt = buildTaskPrompt({
          feature,
          task,
          spec: files.spec,
          plan: files.plan,
          upstream,
          wave,
          integrationBranch,
        });
        const key = idempotencyKey(ctx.task.id, ctx.step?.id, feature, task.id);
        let launched: { id: string; status: string; workBranch: string };
        try {
          launched = await ctx.checkpoint({
            key: `agents.speckit.${ctx.step?.id ?? 'step'}.${task.id}`,
            fn: async () => {
              const s = await api.createSession(
                {
                  entityRef,
                  prompt,
                  harness,
                  templateRef,
                  idempotencyKey: key,
                  parentSessionId: fanOut.id,
                  workBranch: branch,
                  origin: 'speckit',
                  taskId: task.id,
                  wave,
                },
                credentials,
              );
              return { id: s.id, status: s.status, workBranch: s.workBranch };
            },
          });
        } catch (error) {
          const done = sessions.map(s => s.taskId).join(', ') || 'none';
          throw new Error(
            `Started ${sessions.length} of ${planned.length} agent sessions (${done}); starting the one for ${task.id} failed: ${
              (error as Error).message
            }. Retrying the task starts only the missing ones.`,
          );
        }
        const url = sessionUrl(options.config, launched.id);
        logger.info(
          `${task.id}: agent session ${launched.id} is ${launched.status} on ${launched.workBranch}${
            wave !== undefined ? ` (wave ${wave})` : ''
          }: ${url}`,
        );
        sessions.push({
          taskId: task.id,
          sessionId: launched.id,
          sessionUrl: url,
          status: launched.status,
          workBranch: launched.workBranch,
          ...(wave !== undefined ? { wave } : {}),
        });
      }
      // Created last wave first; reported in the order of tasks.md.
      const line = new Map(planned.map(p => [p.task.id, p.task.line]));
      ctx.output(
        'sessions',
        sessions.sort((a, b) => line.get(a.taskId)! - line.get(b.taskId)!),
      );
    },
  });
}
