import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { resolveTargetEntityRef } from './entities';
import { launchSessionExamples } from './launchSession.examples';
import {
  assertNotFailed,
  createApi,
  DRY_RUN_SESSION_ID,
  HARNESSES,
  idempotencyKey,
  sessionUrl,
  waitForSession,
  type AgentsActionsOptions,
} from './shared';

export const LAUNCH_SESSION_ACTION_ID = 'agents:session:launch';

/** `agents:session:launch`: starts one agent session on a component, on behalf of the task's initiator. */
export function createLaunchSessionAction(options: AgentsActionsOptions) {
  const api = createApi(options);
  return createTemplateAction({
    id: LAUNCH_SESSION_ACTION_ID,
    description:
      "Starts an agent session on a catalog component's repository, under the policy bound to this template, and optionally waits until it has started or finished.",
    examples: launchSessionExamples,
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: z =>
          z
            .string()
            .optional()
            .describe('The component to work on, e.g. component:default/payments-service. Give this or repoUrl.'),
        repoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'The repository to work on (https://github.com/org/repo or github.com?owner=org&repo=repo); resolved to the catalog entity that annotates it.',
            ),
        prompt: z => z.string().min(1).describe('What the agent should do.'),
        harness: z =>
          z
            .union([z.enum(HARNESSES), z.literal('')])
            .optional()
            .describe("The agent harness; the policy's default when left out or empty."),
        wait: z =>
          z
            .enum(['none', 'started', 'finished'])
            .optional()
            .describe("Return at once (none, the default), once the agent runs (started), or once it ended (finished)."),
        timeoutMinutes: z =>
          z.number().positive().optional().describe('How long to wait for started or finished (default 30).'),
      },
      output: {
        sessionId: z => z.string().describe("The session's id."),
        sessionUrl: z => z.string().describe("The session's page in Backstage."),
        prUrl: z => z.string().optional().describe('The pull request, once the session opened one.'),
        status: z =>
          z.string().describe("The session's status when the action returned; dry-run in a dry run."),
      },
    },
    async handler(ctx) {
      const { input, logger } = ctx;
      const waitFor = input.wait ?? 'none';
      const credentials = await ctx.getInitiatorCredentials();
      const templateRef = ctx.templateInfo?.entityRef;
      const entityRef = await resolveTargetEntityRef(input, options.catalog, credentials);

      if (ctx.isDryRun) {
        logger.info(
          `Dry run: would start an agent session on ${entityRef}${input.harness ? ` with ${input.harness}` : ''}${
            templateRef ? ` under the policy of ${templateRef}` : ''
          }, and wait: ${waitFor}`,
        );
        ctx.output('sessionId', DRY_RUN_SESSION_ID);
        ctx.output('sessionUrl', sessionUrl(options.config, DRY_RUN_SESSION_ID));
        ctx.output('status', 'dry-run');
        return;
      }

      const key = idempotencyKey(
        ctx.task.id,
        ctx.step?.id,
        ctx.each ? JSON.stringify(ctx.each.key ?? ctx.each) : undefined,
      );
      const launched = await ctx.checkpoint({
        key: `agents.session.launch.${ctx.step?.id ?? 'step'}`,
        fn: async () => {
          const session = await api.createSession(
            { entityRef, prompt: input.prompt, harness: input.harness || undefined, templateRef, idempotencyKey: key },
            credentials,
          );
          return { id: session.id, status: session.status, prUrl: session.prUrl ?? null };
        },
      });
      const url = sessionUrl(options.config, launched.id);
      logger.info(`Agent session ${launched.id} on ${entityRef} is ${launched.status}: ${url}`);
      ctx.output('sessionId', launched.id);
      ctx.output('sessionUrl', url);

      if (waitFor === 'none') {
        ctx.output('status', launched.status);
        if (launched.prUrl) ctx.output('prUrl', launched.prUrl);
        return;
      }
      const final = await waitForSession({
        initial: await api.getSession(launched.id, credentials),
        read: () => api.getSession(launched.id, credentials),
        waitFor,
        timeoutMs: (input.timeoutMinutes ?? 30) * 60_000,
        intervalMs: options.pollIntervalMs ?? 2000,
        logger,
        signal: ctx.signal,
        url,
      });
      ctx.output('status', final.status);
      if (final.prUrl) ctx.output('prUrl', final.prUrl);
      assertNotFailed(final, url);
    },
  });
}
