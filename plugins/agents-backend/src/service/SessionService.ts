import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  agentsSessionCancelPermission,
  agentsSessionCreatePermission,
  agentsSessionReadPermission,
  agentsSessionResumePermission,
  isSessionStatus,
  SESSION_LIMITS,
  type AgentsPolicy,
  type HarnessName,
  type Page,
  type Session,
  type SessionOrigin,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { PolicyResolver } from '@backstage-agents/plugin-agents-node';
import type { SessionStore } from '../database/SessionStore';
import { decodeCursor, encodeCursor } from '../database/cursor';
import type { LogHub } from '../logs/LogHub';
import type { SessionAuthorizer } from '../permissions/SessionAuthorizer';
import type { SessionRuntime } from '../runtime/AgentsRuntime';
import {
  resolveEntityOwner,
  resolveEntitySource,
  type RepoUrlRewrite,
} from './entitySource';

export interface CreateSessionInput {
  entityRef: string;
  prompt: string;
  harness?: HarnessName;
  templateRef?: string;
  idempotencyKey?: string;
  origin?: SessionOrigin;
  /** The GitHub issue the session works on (sessions started from an issue). */
  issueUrl?: string;
}

export interface ListSessionsInput {
  entityRef?: string;
  status?: string;
  createdBy?: string;
  parentSessionId?: string;
  limit?: number;
  cursor?: string;
}

/** Raised when a policy refuses a request; carries the policy and rule for the audit log. */
export class PolicyDeniedError extends NotAllowedError {
  constructor(
    message: string,
    readonly policy: string,
    readonly rule: string,
  ) {
    super(message);
  }
}

/**
 * The use cases of sessions: validates what callers send, checks permissions and policy, and only
 * then writes. Everything that can be refused is refused before the store is touched.
 */
export class SessionService {
  constructor(
    private readonly deps: {
      store: SessionStore;
      catalog: CatalogService;
      policyResolver: PolicyResolver;
      authorizer: SessionAuthorizer;
      hub: LogHub;
      workBranchPrefix: string;
      repoUrlRewrites: RepoUrlRewrite[];
      /** Absent when no cluster is configured: sessions are stored but not run. */
      runtime?: SessionRuntime;
    },
  ) {}

  async create(
    input: CreateSessionInput,
    credentials: BackstageCredentials,
    createdBy: string,
  ): Promise<{ session: SessionWithRuns; created: boolean }> {
    const { store, catalog, policyResolver, authorizer } = this.deps;
    const entityRef = normalizeEntityRef(input.entityRef);
    const prompt = validatePrompt(input.prompt, 'prompt');
    const idempotencyKey = input.idempotencyKey?.trim() || undefined;
    if (input.templateRef !== undefined) normalizeEntityRef(input.templateRef, 'template', 'templateRef');

    if (idempotencyKey) {
      const existing = await store.findByIdempotencyKey(createdBy, idempotencyKey);
      if (existing) {
        if (existing.entityRef !== entityRef || existing.prompt !== prompt) {
          throw new ConflictError(
            `Idempotency key '${idempotencyKey}' was already used for a different request (session ${existing.id}); use a new key for a new session`,
          );
        }
        return { session: existing, created: false };
      }
    }

    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new InputError(
        `Entity ${entityRef} was not found in the catalog; check the entityRef (kind:namespace/name)`,
      );
    }
    const source = resolveEntitySource(entity, this.deps.repoUrlRewrites);
    const entityOwnerRef = resolveEntityOwner(entity);

    await authorizer.authorize(
      agentsSessionCreatePermission,
      credentials,
      { entityRef, entityOwnerRef, createdBy },
      `start agent sessions on ${entityRef}`,
    );

    const policy = await policyResolver.resolve({
      entity,
      templateRef: input.templateRef,
    });
    const harness = input.harness ?? policy.defaultHarness;
    if (!policy.allowedHarnesses.includes(harness)) {
      throw new PolicyDeniedError(
        `Policy '${policy.name}' does not allow harness ${harness}; allowed: ${policy.allowedHarnesses.join(', ')}`,
        policy.name,
        'allowedHarnesses',
      );
    }

    const created = await store.createSession({
      entityRef,
      entityOwnerRef,
      repoUrl: source.repoUrl,
      baseBranch: source.baseBranch,
      workBranchPrefix: this.deps.workBranchPrefix,
      harness,
      prompt,
      policy: { name: policy.name, snapshot: policy },
      origin: {
        kind: input.origin ?? (input.templateRef ? 'scaffolder' : 'api'),
        templateRef: input.templateRef,
      },
      createdBy,
      idempotencyKey,
      issueUrl: input.issueUrl,
    });
    if (created.created) this.deps.runtime?.sessionQueued(created.session);
    return created;
  }

  /**
   * What a caller would get when starting a session on an entity: the policy that applies and
   * whether they may start one at all. Lets a UI offer only what the backend would accept.
   */
  async launchOptions(
    input: { entityRef: string; templateRef?: string },
    credentials: BackstageCredentials,
    createdBy: string,
  ): Promise<{ policy: AgentsPolicy; canCreate: boolean; reason?: string }> {
    const entityRef = normalizeEntityRef(input.entityRef);
    if (input.templateRef !== undefined) normalizeEntityRef(input.templateRef, 'template', 'templateRef');
    const entity = await this.deps.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} was not found in the catalog`);
    }
    const policy = await this.deps.policyResolver.resolve({ entity, templateRef: input.templateRef });
    try {
      resolveEntitySource(entity, this.deps.repoUrlRewrites);
      await this.deps.authorizer.authorize(
        agentsSessionCreatePermission,
        credentials,
        { entityRef, entityOwnerRef: resolveEntityOwner(entity), createdBy },
        `start agent sessions on ${entityRef}`,
      );
      return { policy, canCreate: true };
    } catch (error) {
      if (error instanceof NotAllowedError || error instanceof InputError) {
        return { policy, canCreate: false, reason: error.message };
      }
      throw error;
    }
  }

  async get(id: string, credentials: BackstageCredentials): Promise<SessionWithRuns> {
    const session = await this.load(id);
    await this.deps.authorizer.authorize(
      agentsSessionReadPermission,
      credentials,
      session,
      `read session ${id}`,
    );
    return session;
  }

  async list(
    input: ListSessionsInput,
    credentials: BackstageCredentials,
    caller: string,
  ): Promise<Page<Session>> {
    const statuses = input.status
      ?.split(',')
      .map(s => s.trim())
      .filter(Boolean);
    for (const status of statuses ?? []) {
      if (!isSessionStatus(status)) {
        throw new InputError(
          `Unknown status '${status}'; use one or more of pending, starting, running, succeeded, failed, cancelled, timed_out`,
        );
      }
    }
    const limit = input.limit ?? SESSION_LIMITS.defaultPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > SESSION_LIMITS.maxPageSize) {
      throw new InputError(`limit must be an integer from 1 to ${SESSION_LIMITS.maxPageSize}`);
    }
    const beforeSeq = input.cursor !== undefined ? decodeCursor(input.cursor) : undefined;
    const permissionFilter = await this.deps.authorizer.readFilter(credentials);
    const { items, nextSeq } = await this.deps.store.listSessions({
      filter: {
        entityRef: input.entityRef ? normalizeEntityRef(input.entityRef) : undefined,
        statuses: statuses as SessionStatus[] | undefined,
        createdBy: input.createdBy === 'me' ? caller : input.createdBy,
        parentSessionId: input.parentSessionId,
      },
      permissionFilter,
      limit,
      beforeSeq,
    });
    return { items, nextCursor: nextSeq ? encodeCursor(nextSeq) : undefined };
  }

  async cancel(id: string, credentials: BackstageCredentials): Promise<SessionWithRuns> {
    const session = await this.load(id);
    await this.deps.authorizer.authorize(
      agentsSessionCancelPermission,
      credentials,
      session,
      `cancel session ${id}`,
    );
    const cancelled = await this.deps.store.transition(id, 'cancelled', {
      run: { reason: 'Cancelled by a user' },
    });
    this.deps.hub.publish(id, { type: 'status', status: cancelled.status });
    await this.deps.runtime?.sessionCancelled(cancelled);
    return cancelled;
  }

  async resume(
    id: string,
    prompt: string,
    credentials: BackstageCredentials,
  ): Promise<SessionWithRuns> {
    const followUp = validatePrompt(prompt, 'prompt');
    const session = await this.load(id);
    await this.deps.authorizer.authorize(
      agentsSessionResumePermission,
      credentials,
      session,
      `resume session ${id}`,
    );
    const resumed = await this.deps.store.resume(id, followUp);
    this.deps.hub.publish(id, { type: 'status', status: resumed.status });
    this.deps.runtime?.sessionQueued(resumed);
    return resumed;
  }

  private async load(id: string): Promise<SessionWithRuns> {
    const session = await this.deps.store.getSession(id);
    if (!session) throw new NotFoundError(`No session with id ${id}`);
    return session;
  }
}

function validatePrompt(prompt: string, field: string): string {
  if (typeof prompt !== 'string' || prompt.trim() === '') {
    throw new InputError(`${field} must not be blank: say what the agent should do`);
  }
  if (prompt.length > SESSION_LIMITS.maxPromptLength) {
    throw new InputError(
      `${field} is ${prompt.length} characters long; the limit is ${SESSION_LIMITS.maxPromptLength}`,
    );
  }
  return prompt;
}

function normalizeEntityRef(
  ref: string,
  defaultKind = 'component',
  field = 'entityRef',
): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, { defaultKind, defaultNamespace: 'default' }),
    );
  } catch (error) {
    throw new InputError(
      `${field} '${ref}' is not an entity ref; use kind:namespace/name, e.g. ${defaultKind}:default/my-service`,
    );
  }
}
