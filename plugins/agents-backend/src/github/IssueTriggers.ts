import type {
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { EventParams, EventsService } from '@backstage/plugin-events-node';
import { ANNOTATION_GITHUB_PROJECT_SLUG } from '@backstage-agents/plugin-agents-common';
import type { WebhookDeliveryStore } from '../database/WebhookDeliveryStore';
import type { SessionService } from '../service/SessionService';

interface IssuePayload {
  action?: string;
  issue?: { number: number; title: string; body?: string | null; html_url: string; pull_request?: unknown };
  comment?: { body?: string; user?: { login: string; type?: string } };
  label?: { name: string };
  repository?: { full_name: string };
  sender?: { login: string; type?: string };
}

/** What starts an agent from GitHub, from `agents.github.triggers`. */
export interface TriggerSettings {
  enabled: boolean;
  label: string;
  command: string;
}

export function readTriggerSettings(config: Config): TriggerSettings {
  const triggers = config.getOptionalConfig('agents.github.triggers');
  return {
    enabled: triggers?.getOptionalBoolean('enabled') ?? true,
    label: triggers?.getOptionalString('label') ?? 'agents',
    command: triggers?.getOptionalString('command') ?? '/agent',
  };
}

/**
 * Starts sessions from GitHub issues, through Backstage's events system (the GitHub webhook module
 * verifies signatures and routes deliveries to `github.<event>` topics): an issue labelled with the
 * trigger label, or a comment starting with the trigger command, launches a session on the catalog
 * entity whose `github.com/project-slug` is the repository, with the issue as the prompt. Each
 * delivery id is recorded first, so a redelivery launches nothing twice.
 */
export class IssueTriggers {
  constructor(
    private readonly deps: {
      settings: TriggerSettings;
      sessions: SessionService;
      catalog: CatalogService;
      auth: AuthService;
      deliveries: WebhookDeliveryStore;
      logger: LoggerService;
    },
  ) {}

  async subscribe(events: EventsService): Promise<void> {
    if (!this.deps.settings.enabled) return;
    await events.subscribe({
      id: 'agents-github-issue-triggers',
      topics: ['github.issues', 'github.issue_comment'],
      onEvent: params => this.handle(params),
    });
  }

  async handle(params: EventParams): Promise<void> {
    const { logger } = this.deps;
    const payload = params.eventPayload as IssuePayload;
    const request = this.requestOf(params.topic, payload);
    if (!request) return;
    const deliveryId = String(params.metadata?.['x-github-delivery'] ?? '');
    if (!deliveryId) {
      logger.warn('Ignoring a GitHub delivery without an X-GitHub-Delivery id');
      return;
    }
    if (!(await this.deps.deliveries.claim(deliveryId, params.topic))) {
      logger.info(`Ignoring GitHub delivery ${deliveryId}: it was handled before`);
      return;
    }
    try {
      const sessionId = await this.launch(payload, request);
      if (sessionId) {
        await this.deps.deliveries.recordSession(deliveryId, sessionId);
      }
    } catch (error) {
      logger.warn(`GitHub delivery ${deliveryId} did not start a session: ${error}`);
    }
  }

  /** The request an event makes, or undefined when it is not a trigger. */
  private requestOf(topic: string, payload: IssuePayload): { instruction?: string; by: string } | undefined {
    const { label, command } = this.deps.settings;
    const issue = payload.issue;
    if (!issue || issue.pull_request || !payload.repository) return undefined;
    if (topic === 'github.issues') {
      // GitHub sends `labeled` for labels given at creation too, so `opened` needs no handling.
      const labelled = payload.action === 'labeled' && payload.label?.name === label;
      return labelled ? { by: payload.sender?.login ?? 'unknown' } : undefined;
    }
    if (topic === 'github.issue_comment' && payload.action === 'created') {
      const body = payload.comment?.body?.trim() ?? '';
      const author = payload.comment?.user;
      // Bots (including this suite's own app commenting) never trigger agents.
      if (!body.startsWith(command) || author?.type === 'Bot') return undefined;
      return { instruction: body.slice(command.length).trim() || undefined, by: author?.login ?? 'unknown' };
    }
    return undefined;
  }

  private async launch(payload: IssuePayload, request: { instruction?: string; by: string }) {
    const { catalog, auth, sessions, logger } = this.deps;
    const issue = payload.issue!;
    const slug = payload.repository!.full_name;
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      { filter: { [`metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`]: slug } },
      { credentials },
    );
    const entity = items[0];
    if (!entity) {
      logger.warn(`No catalog entity has ${ANNOTATION_GITHUB_PROJECT_SLUG} ${slug}; issue ${issue.html_url} starts no session`);
      return undefined;
    }
    const prompt = [
      `Resolve GitHub issue #${issue.number} of ${slug}: ${issue.title}`,
      '',
      (issue.body ?? '').trim() || '(The issue has no description.)',
      ...(request.instruction ? ['', `Requested by @${request.by}: ${request.instruction}`] : []),
    ].join('\n');
    const { session } = await sessions.create(
      {
        entityRef: stringifyEntityRef(entity),
        prompt: prompt.slice(0, 32_000),
        origin: 'webhook',
        issueUrl: issue.html_url,
      },
      credentials,
      await this.creatorFor(request.by),
    );
    logger.info(`Issue ${issue.html_url} started session ${session.id} on ${stringifyEntityRef(entity)}`);
    return session.id;
  }

  /** The Backstage user with the GitHub login (annotation github.com/user-login), else user:default/<login>. */
  private async creatorFor(login: string): Promise<string> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      { filter: { kind: 'User', 'metadata.annotations.github.com/user-login': login } },
      { credentials },
    );
    return items[0] ? stringifyEntityRef(items[0]) : `user:default/${login.toLowerCase()}`;
  }
}
