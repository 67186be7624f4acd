import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { normalizeEntityRef, readEntityRepository } from '@backstage-agents/plugin-agents-common';
import { AgentsApiError } from '../client/AgentsApi';
import { campaignLaunchExamples } from './campaignLaunch.examples';
import { describeCampaignFilter, parseCampaignFilter } from './campaignFilter';
import {
  createApi,
  DRY_RUN_SESSION_ID,
  HARNESSES,
  idempotencyKey,
  sessionUrl,
  type AgentsActionsOptions,
} from './shared';

export const CAMPAIGN_LAUNCH_ACTION_ID = 'agents:campaign:launch';

/** The answers of the backend that refuse one entity's session (permission, policy, budget, input) rather than fail the campaign. */
const REFUSALS = new Set([400, 403, 404, 409]);

interface CampaignSession {
  entityRef: string;
  sessionId: string;
  sessionUrl: string;
  status: string;
}

/**
 * `agents:campaign:launch`: runs one prompt against every entity a catalog filter selects, as one
 * agent session per entity (each on its own repository, opening its own pull request) grouped under
 * one campaign fan-out session. The backend checks every session with its own entity's permission,
 * policy and budget, and queues them under the policies' concurrency caps. Every request is
 * checkpointed and idempotent, so a retried task starts only what is missing.
 */
export function createCampaignLaunchAction(options: AgentsActionsOptions) {
  const api = createApi(options);
  return createTemplateAction({
    id: CAMPAIGN_LAUNCH_ACTION_ID,
    description:
      'Runs one prompt against every catalog entity a filter selects: one agent session per entity with a repository, grouped under one campaign fan-out session. Entities without a repository are skipped and listed.',
    examples: campaignLaunchExamples,
    supportsDryRun: true,
    schema: {
      input: {
        filter: z =>
          z
            .union([
              z.string(),
              z.record(z.union([z.string(), z.array(z.string())])),
              z.array(z.union([z.string(), z.record(z.union([z.string(), z.array(z.string())]))])),
            ])
            .describe(
              'The entities to run on: key=value pairs separated by commas (kind=component,spec.lifecycle=production,metadata.tags=java), an object of the same keys, or a list of either (any of them matches).',
            ),
        prompt: z => z.string().min(1).describe('What the agent should do in each repository.'),
        harness: z =>
          z
            .union([z.enum(HARNESSES), z.literal('')])
            .optional()
            .describe("The agent harness; each entity's policy default when left out or empty."),
        maxSessions: z =>
          z
            .number()
            .int()
            .positive()
            .optional()
            .describe('Refuse to start the campaign when the filter selects more entities with a repository than this (default 20).'),
        groupEntityRef: z =>
          z
            .string()
            .optional()
            .describe(
              'The catalog entity the grouping fan-out session is on, e.g. a system or group (default the template). The caller needs permission to start sessions on it.',
            ),
      },
      output: {
        fanOutSessionId: z =>
          z.string().optional().describe('The campaign fan-out session (absent when nothing was selected).'),
        fanOutSessionUrl: z => z.string().optional().describe("The fan-out session's page, with every entity's session."),
        sessions: z =>
          z
            .array(z.object({ entityRef: z.string(), sessionId: z.string(), sessionUrl: z.string(), status: z.string() }))
            .describe('One entry per entity given an agent session, in catalog order.'),
        skipped: z =>
          z
            .array(z.object({ entityRef: z.string(), reason: z.string() }))
            .describe('The selected entities that got no session, and why.'),
      },
    },
    async handler(ctx) {
      const { input, logger } = ctx;
      const filters = parseCampaignFilter(input.filter);
      const filterText = describeCampaignFilter(filters);
      const maxSessions = input.maxSessions ?? 20;
      const credentials = await ctx.getInitiatorCredentials();
      const templateRef = ctx.templateInfo?.entityRef;
      const groupRef = input.groupEntityRef?.trim() ? normalizeEntityRef(input.groupEntityRef) : templateRef;
      if (!groupRef) {
        throw new InputError('Give groupEntityRef: the entity the campaign fan-out session is on (a system or group)');
      }

      // Only what the initiator may see in the catalog is selected.
      const { items } = await options.catalog.getEntities(
        { filter: filters, order: [{ field: 'metadata.name', order: 'asc' }] },
        { credentials },
      );
      const targets: string[] = [];
      const skipped: Array<{ entityRef: string; reason: string }> = [];
      for (const entity of items as Entity[]) {
        const ref = stringifyEntityRef(entity);
        if (readEntityRepository(entity)) targets.push(ref);
        else skipped.push({ entityRef: ref, reason: 'no repository: it has no backstage.io/source-location or github.com/project-slug annotation' });
      }
      logger.info(`Filter ${filterText} selects ${items.length} entities: ${targets.length} with a repository, ${skipped.length} without`);
      for (const s of skipped) logger.warn(`Skipping ${s.entityRef}: ${s.reason}`);
      ctx.output('skipped', skipped);
      if (targets.length > maxSessions) {
        throw new InputError(
          `Filter ${filterText} selects ${targets.length} entities with a repository, more than maxSessions (${maxSessions}); narrow the filter or raise maxSessions. Nothing was started.`,
        );
      }
      if (targets.length === 0) {
        logger.warn(`No entity with a repository matches ${filterText}: nothing to start`);
        ctx.output('sessions', []);
        return;
      }

      const harness = input.harness || undefined;
      const fanOutPrompt = `Campaign over ${targets.length} entities (${filterText}), one agent session each: ${input.prompt}`;
      let fanOut: { id: string };
      if (ctx.isDryRun) {
        logger.info(`Dry run: would start a campaign fan-out session on ${groupRef} grouping ${targets.length} sessions`);
        fanOut = { id: DRY_RUN_SESSION_ID };
      } else {
        fanOut = await ctx.checkpoint({
          key: `agents.campaign.${ctx.step?.id ?? 'step'}.fanout`,
          fn: async () => {
            const s = await api.createSession(
              {
                entityRef: groupRef,
                prompt: fanOutPrompt,
                kind: 'fanout',
                origin: 'campaign',
                harness,
                templateRef,
                idempotencyKey: idempotencyKey(ctx.task.id, ctx.step?.id, 'campaign'),
              },
              credentials,
            );
            return { id: s.id };
          },
        });
        logger.info(`Campaign fan-out session ${fanOut.id}: ${sessionUrl(options.config, fanOut.id)}`);
      }
      ctx.output('fanOutSessionId', fanOut.id);
      ctx.output('fanOutSessionUrl', sessionUrl(options.config, fanOut.id));

      const sessions: CampaignSession[] = [];
      const refused: Array<{ entityRef: string; reason: string }> = [];
      for (const entityRef of targets) {
        if (ctx.isDryRun) {
          logger.info(`Dry run: would start an agent session on ${entityRef}`);
          sessions.push({
            entityRef,
            sessionId: DRY_RUN_SESSION_ID,
            sessionUrl: sessionUrl(options.config, DRY_RUN_SESSION_ID),
            status: 'dry-run',
          });
          continue;
        }
        let launched: { id: string; status: string };
        try {
          launched = await ctx.checkpoint({
            key: `agents.campaign.${ctx.step?.id ?? 'step'}.${entityRef}`,
            fn: async () => {
              const s = await api.createSession(
                {
                  entityRef,
                  prompt: input.prompt,
                  harness,
                  templateRef,
                  parentSessionId: fanOut.id,
                  origin: 'campaign',
                  // The fan-out's page labels its children by task id: here, the entity each works on.
                  ...(entityRef.length <= 100 ? { taskId: entityRef } : {}),
                  idempotencyKey: idempotencyKey(ctx.task.id, ctx.step?.id, entityRef),
                },
                credentials,
              );
              return { id: s.id, status: s.status };
            },
          });
        } catch (error) {
          // One entity's refusal (no permission, its policy, its owner's budget) does not stop the others.
          if (error instanceof AgentsApiError && REFUSALS.has(error.status)) {
            logger.warn(`${entityRef}: refused: ${error.errorMessage}`);
            refused.push({ entityRef, reason: error.errorMessage });
            continue;
          }
          throw new Error(
            `Started ${sessions.length} of ${targets.length} campaign sessions; starting the one on ${entityRef} failed: ${
              (error as Error).message
            }. Retrying the task starts only the missing ones.`,
          );
        }
        const url = sessionUrl(options.config, launched.id);
        logger.info(`${entityRef}: agent session ${launched.id} is ${launched.status}: ${url}`);
        sessions.push({ entityRef, sessionId: launched.id, sessionUrl: url, status: launched.status });
      }
      ctx.output('sessions', sessions);
      ctx.output('skipped', [...skipped, ...refused.map(r => ({ entityRef: r.entityRef, reason: `refused: ${r.reason}` }))]);
      if (refused.length > 0) {
        throw new Error(
          `Started ${sessions.length} of ${targets.length} campaign sessions; the backend refused ${refused.length}: ${refused
            .map(r => `${r.entityRef} (${r.reason})`)
            .join('; ')}. Fix those and retry the task: it starts only the missing ones.`,
        );
      }
    },
  });
}
