import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { NotImplementedError } from '@backstage/errors';
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';
import type { Request as ExpressRequest } from 'express';
import Router from 'express-promise-router';

// Handlers get requests typed from the spec; these helpers only need what every request has.
type Request = ExpressRequest<any, any, any, any>;
import type { AgentsDatabase } from '../database/AgentsDatabase';
import type { SessionEventHub } from '../events/SessionEventHub';
import { spec } from '../schema/openapi.generated';
import { PolicyDeniedError } from '../policy/PolicyDeniedError';
import { BudgetExceededError } from '../budgets/BudgetExceededError';
import type { SessionService } from '../service/SessionService';
import type { UsageService } from '../service/UsageService';
import { databaseUnavailableHandler } from './databaseUnavailable';
import { readCursor, streamSessionLog } from './logStream';
import { limitErrorHandler } from './limitErrorHandler';
import { requestBodyLimit } from './requestBodyLimit';
import { StreamLimiter } from './StreamLimiter';
import { wellFormedText } from './wellFormedText';

/** `agents.limits.maxRequestBodyBytes` when unset: prompts are at most 32,000 characters. */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 1024 * 1024;
/** `agents.limits.maxStreamsPerUser` when unset: a few browser tabs following logs, with room to spare. */
export const DEFAULT_MAX_STREAMS_PER_USER = 20;

export interface RouterOptions {
  sessions: SessionService;
  /** Usage statistics; without it `GET /usage` answers 501 (setups that serve sessions only). */
  usage?: UsageService;
  /** What the log stream reads: the session's status and its persisted lines. */
  db: Pick<AgentsDatabase, 'sessions' | 'logChunks'>;
  hub: SessionEventHub;
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  logger: LoggerService;
  config: Config;
  logPollIntervalMs?: number;
}

/**
 * The agents REST API, typed and validated from `src/schema/openapi.yaml`, behind its request body
 * limit (413) and a check for text no database takes; event streams are capped per caller (429).
 * The bundle routes the document also describes are served ahead of it by `createBundleRouter`.
 */
export async function createRouter(options: RouterOptions) {
  const { sessions, db, hub, httpAuth, auditor, logger, config } = options;
  const maxRequestBodyBytes = readLimit(config, 'maxRequestBodyBytes', DEFAULT_MAX_REQUEST_BODY_BYTES);
  const streams = new StreamLimiter(readLimit(config, 'maxStreamsPerUser', DEFAULT_MAX_STREAMS_PER_USER));
  const router = createValidatedOpenApiRouter<typeof spec>(spec, {
    // The document's security schemes describe the tokens; checking them is httpAuth's job (and the
    // bundle service's), which answers 401 where the validator would answer 400.
    validatorOptions: { validateSecurity: false },
  });

  const caller = async (req: Request) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user', 'service'] });
    return { credentials, ref: principalRef(credentials) };
  };

  /** Records an audit event around a state-changing operation, including refusals. */
  const audited = async <T>(
    req: Request,
    eventId: string,
    meta: Record<string, string | undefined>,
    operation: () => Promise<T>,
    resultMeta: (result: T) => Record<string, string>,
  ): Promise<T> => {
    const event = await auditor.createEvent({
      eventId,
      severityLevel: 'medium',
      request: req,
      meta: definedOnly(meta),
    });
    try {
      const result = await operation();
      await event.success({ meta: resultMeta(result) });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      if (error instanceof PolicyDeniedError) {
        const denial = await auditor.createEvent({
          eventId: 'policy-denial',
          severityLevel: 'medium',
          request: req,
          meta: definedOnly({ ...meta, policy: error.policy, rule: error.rule }),
        });
        await denial.fail({ error });
      }
      if (error instanceof BudgetExceededError) {
        const refusal = await auditor.createEvent({
          eventId: 'budget-refusal',
          severityLevel: 'medium',
          request: req,
          meta: definedOnly({ ...meta, owner: error.owner, budget: error.budget, usage: error.usage }),
        });
        await refusal.fail({ error });
      }
      throw error;
    }
  };

  router.get('/sessions', async (req, res) => {
    const { credentials, ref } = await caller(req);
    const q = req.query;
    res.json(
      await sessions.list(
        {
          entityRef: q.entityRef,
          status: q.status,
          createdBy: q.createdBy,
          parentSessionId: q.parentSessionId,
          limit: q.limit === undefined ? undefined : Number(q.limit),
          cursor: q.cursor,
        },
        credentials,
        ref,
      ),
    );
  });

  router.get('/launch-options', async (req, res) => {
    const { credentials, ref } = await caller(req);
    res.json(
      await sessions.launchOptions(
        { entityRef: req.query.entityRef, templateRef: req.query.templateRef },
        credentials,
        ref,
      ),
    );
  });

  router.post('/sessions', async (req, res) => {
    const { credentials, ref } = await caller(req);
    const body = req.body;
    const { session, created } = await audited(
      req,
      'session-create',
      {
        entityRef: body.entityRef,
        templateRef: body.templateRef,
        kind: body.kind,
        parentSessionId: body.parentSessionId,
      },
      () => sessions.create(body, credentials, ref),
      r => ({ sessionId: r.session.id, created: String(r.created) }),
    );
    res.status(created ? 201 : 200).json(session);
  });

  router.get('/usage', async (req, res) => {
    const { credentials } = await caller(req);
    if (!options.usage) throw new NotImplementedError('This backend serves no usage statistics');
    const q = req.query;
    res.json(
      await options.usage.statistics(
        { ownerRef: q.ownerRef, entityRef: q.entityRef, harness: q.harness, from: q.from, to: q.to },
        credentials,
      ),
    );
  });

  router.get('/sessions/:id', async (req, res) => {
    const { credentials } = await caller(req);
    res.json(await sessions.get(req.params.id, credentials));
  });

  router.post('/sessions/:id/cancel', async (req, res) => {
    const { credentials } = await caller(req);
    const id = req.params.id;
    res.json(
      await audited(req, 'session-cancel', { sessionId: id }, () =>
        sessions.cancel(id, credentials),
        s => ({ status: s.status }),
      ),
    );
  });

  router.post('/sessions/:id/resume', async (req, res) => {
    const { credentials } = await caller(req);
    const id = req.params.id;
    res.json(
      await audited(req, 'session-resume', { sessionId: id }, () =>
        sessions.resume(id, req.body.prompt, credentials),
        s => ({ status: s.status, attempt: String(s.runs.length) }),
      ),
    );
  });

  router.get('/sessions/:id/logs', async (req, res) => {
    const { credentials, ref } = await caller(req);
    const after = readCursor(req);
    await sessions.get(req.params.id, credentials);
    streams.acquire(ref, res);
    await streamSessionLog(req, res, req.params.id, after, {
      sessions: db.sessions,
      logChunks: db.logChunks,
      hub,
      logger,
      pollIntervalMs: options.logPollIntervalMs ?? 2000,
      heartbeatMs: 15000,
    });
  });

  // Ahead of the OpenAPI router, whose error handler would turn the limits' errors into 400s.
  const limited = Router();
  limited.use(requestBodyLimit(maxRequestBodyBytes));
  limited.use(wellFormedText);
  limited.use(router);
  limited.use(limitErrorHandler);
  limited.use(databaseUnavailableHandler);
  limited.use(MiddlewareFactory.create({ config, logger }).error());
  return limited;
}

function readLimit(config: Config, name: string, defaultValue: number): number {
  const value = config.getOptionalNumber(`agents.limits.${name}`) ?? defaultValue;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`agents.limits.${name} must be a positive whole number, got ${value}`);
  }
  return value;
}

function principalRef(credentials: BackstageCredentials): string {
  const principal = credentials.principal as
    | { type: 'user'; userEntityRef: string }
    | { type: 'service'; subject: string };
  return principal.type === 'user' ? principal.userEntityRef : principal.subject;
}

function definedOnly(meta: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(meta).filter((e): e is [string, string] => e[1] !== undefined),
  );
}
