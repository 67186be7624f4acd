import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { Entity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  type AgentsLaunchOptions as LaunchOptions,
  agentsSessionCancelPermission,
  agentsSessionCreatePermission,
  agentsSessionReadPermission,
  agentsSessionResumePermission,
  isSessionStatus,
  isTerminalStatus,
  normalizeEntityRef,
  SESSION_LIMITS,
  type AgentsPolicy,
  type HarnessName,
  type Page,
  type Session,
  type SessionKind,
  type SessionOrigin,
  type SessionStatus,
  type SessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { PolicyResolver } from '@backstage-agents/plugin-agents-node';
import type { Transitioned } from '../database/sessionChanges';
import type { SessionStore } from '../database/SessionStore';
import type { TransitionStore } from '../database/TransitionStore';
import { decodeCursor, encodeCursor } from '../database/cursor';
import type { SessionAuthorizer } from '../permissions/SessionAuthorizer';
import type { SessionRuntime } from '../runtime/AgentsRuntime';
import { PolicyDeniedError } from '../policy/PolicyDeniedError';
import { refusalMessage, type BudgetGuard } from '../budgets/BudgetGuard';
import { BudgetExceededError } from '../budgets/BudgetExceededError';
import { withoutPolicyAnnotation } from '../policy/entityPolicy';
import type { IntegrationBranches } from '../github/IntegrationBranches';
import { validateBranchName, validateWorkBranch } from './branchNames';
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
  /** `fanout` groups child sessions and runs nothing itself. */
  kind?: SessionKind;
  /** The fan-out session this one belongs to. */
  parentSessionId?: string;
  /** A work branch asked for by name. */
  workBranch?: string;
  /** The task the session implements (e.g. a spec-kit task id). */
  taskId?: string;
  /** Only with kind `fanout`: run the fan-out in waves on this branch. */
  integrationBranch?: string;
  /** The wave of a task of a fan-out that runs in waves. */
  wave?: number;
}

export interface ListSessionsInput {
  entityRef?: string;
  status?: string;
  createdBy?: string;
  parentSessionId?: string;
  limit?: number;
  cursor?: string;
}

/**
 * The use cases of sessions: validates what callers send, checks permissions and policy, and only
 * then writes. Everything that can be refused is refused before the store is touched.
 */
export class SessionService {
  constructor(
    private readonly deps: {
      store: SessionStore;
      transitions: Pick<TransitionStore, 'transition' | 'resume'>;
      catalog: CatalogService;
      policyResolver: PolicyResolver;
      authorizer: SessionAuthorizer;
      workBranchPrefix: string;
      repoUrlRewrites: RepoUrlRewrite[];
      /** Absent when no cluster is configured: sessions are stored but not run. */
      runtime?: SessionRuntime;
      /** Creates the integration branches of fan-outs in waves; without it they are refused. */
      integrationBranches?: Pick<IntegrationBranches, 'ensure'>;
      /** Owners' monthly budgets (`agents.budgets`); those set to refuse are enforced here. */
      budgets?: Pick<BudgetGuard, 'exceeded'>;
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
    const kind = input.kind ?? 'agent';
    if (kind === 'fanout' && (input.parentSessionId || input.workBranch !== undefined)) {
      throw new InputError(
        'A fan-out session groups other sessions and pushes nothing: it takes neither parentSessionId nor workBranch',
      );
    }
    checkWaveFields(input, kind);
    // A campaign groups sessions on many entities (and so many repositories) under one fan-out.
    const campaign = kind === 'fanout' && input.origin === 'campaign';
    if (campaign && input.integrationBranch !== undefined) {
      throw new InputError(
        'A campaign fan-out spans repositories and cannot run in waves on one integration branch; remove integrationBranch',
      );
    }

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
    const source = campaign
      ? campaignSource(entity, this.deps.repoUrlRewrites)
      : resolveEntitySource(entity, this.deps.repoUrlRewrites);
    const entityOwnerRef = resolveEntityOwner(entity);
    const integrationBranch =
      input.integrationBranch !== undefined
        ? validateBranchName(input.integrationBranch, source.baseBranch, 'integrationBranch')
        : undefined;
    let workBranch =
      input.workBranch !== undefined ? validateWorkBranch(input.workBranch, source.baseBranch) : undefined;

    await authorizer.authorize(
      agentsSessionCreatePermission,
      credentials,
      { entityRef, entityOwnerRef, createdBy },
      `start agent sessions on ${entityRef}`,
    );
    // A task of a fan-out in waves starts from, and opens its pull request against, the integration branch.
    let baseBranch = source.baseBranch;
    let held = false;
    if (input.parentSessionId) {
      const parent = await this.checkParent(input.parentSessionId, entityRef, credentials);
      checkWave(input.wave, parent);
      if (parent.integrationBranch) {
        baseBranch = parent.integrationBranch;
        // Launched when its wave comes (LaunchQueue); if it came meanwhile, the reconciler's next resync does.
        held = input.wave! > (parent.currentWave ?? 1);
        if (workBranch !== undefined) workBranch = validateWorkBranch(workBranch, baseBranch);
      }
    }

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
    if (policy.maxPromptLength !== undefined && prompt.length > policy.maxPromptLength) {
      throw new PolicyDeniedError(
        `Policy '${policy.name}' allows prompts of at most ${policy.maxPromptLength} characters; this one has ${prompt.length}: shorten it`,
        policy.name,
        'maxPromptLength',
      );
    }

    // A fan-out runs nothing: its tasks are checked one by one.
    if (kind === 'agent') await this.checkBudget(entityOwnerRef);

    if (integrationBranch) {
      // Before the fan-out exists, so that no task can ever clone a branch that is not there.
      if (!this.deps.integrationBranches) {
        throw new InputError(
          'This backend has no GitHub integration to create integration branches with; drop integrationBranch or configure integrations.github with a GitHub App',
        );
      }
      await this.deps.integrationBranches.ensure(source.repoUrl, integrationBranch, source.baseBranch);
    }

    const { session, created } = await store.createSession({
      kind,
      entityRef,
      entityOwnerRef,
      repoUrl: source.repoUrl,
      baseBranch,
      workBranchPrefix: this.deps.workBranchPrefix,
      workBranch,
      harness,
      prompt,
      policy: { name: policy.name, snapshot: policy },
      origin: {
        kind: input.origin ?? (input.templateRef ? 'scaffolder' : 'api'),
        templateRef: input.templateRef,
        taskId: input.taskId?.trim() || undefined,
      },
      createdBy,
      idempotencyKey,
      issueUrl: input.issueUrl,
      parentSessionId: input.parentSessionId,
      integrationBranch,
      wave: input.wave,
    });
    // A task of a later wave is held: it is launched when its wave comes.
    if (created && kind === 'agent' && !held) this.deps.runtime?.sessionQueued(session);
    return { session, created };
  }

  /** A child joins a fan-out the caller can read, on the same entity, that was not cancelled. */
  private async checkParent(
    parentSessionId: string,
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Session> {
    // Its own fields suffice for the checks; a 200-task fan-out would otherwise recount its children each time.
    const parent = await this.deps.store.getSessionFields(parentSessionId);
    if (!parent) {
      throw new InputError(`parentSessionId ${parentSessionId} is not a session; create the fan-out session first`);
    }
    await this.deps.authorizer.authorize(
      agentsSessionReadPermission,
      credentials,
      parent,
      `read fan-out session ${parentSessionId}`,
    );
    if (parent.kind !== 'fanout') {
      throw new InputError(
        `Session ${parentSessionId} is not a fan-out session; create one with kind: fanout to group sessions under it`,
      );
    }
    // A campaign's children are on entities of their own, each already checked with its own permission and policy.
    if (parent.entityRef !== entityRef && parent.origin.kind !== 'campaign') {
      throw new InputError(
        `Fan-out session ${parentSessionId} is on ${parent.entityRef}; its children must be on the same entity, not ${entityRef} (only a campaign fan-out, origin campaign, groups sessions across entities)`,
      );
    }
    if (parent.status === 'cancelled') {
      throw new ConflictError(`Fan-out session ${parentSessionId} was cancelled; it takes no new sessions`);
    }
    return parent;
  }

  /**
   * What a caller would get when starting a session on an entity: the policy that applies and
   * whether they may start one at all. Lets a UI offer only what the backend would accept.
   */
  async launchOptions(
    input: { entityRef: string; templateRef?: string },
    credentials: BackstageCredentials,
    createdBy: string,
  ): Promise<LaunchOptions> {
    const entityRef = normalizeEntityRef(input.entityRef);
    if (input.templateRef !== undefined) normalizeEntityRef(input.templateRef, 'template', 'templateRef');
    const entity = await this.deps.catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`Entity ${entityRef} was not found in the catalog`);
    }
    let policy: AgentsPolicy;
    try {
      policy = await this.deps.policyResolver.resolve({ entity, templateRef: input.templateRef });
    } catch (error) {
      if (!(error instanceof PolicyDeniedError)) throw error;
      // Show what applies without the entity's choice, and why nothing can start until it is fixed.
      policy = await this.deps.policyResolver.resolve({
        entity: withoutPolicyAnnotation(entity),
        templateRef: input.templateRef,
      });
      return { policy, canCreate: false, reason: error.message };
    }
    let repository: LaunchOptions['repository'];
    try {
      const source = resolveEntitySource(entity, this.deps.repoUrlRewrites);
      repository = {
        url: source.sourceUrl,
        cloneUrl: source.repoUrl,
        ...(source.baseBranch !== undefined ? { baseBranch: source.baseBranch } : {}),
      };
      await this.deps.authorizer.authorize(
        agentsSessionCreatePermission,
        credentials,
        { entityRef, entityOwnerRef: resolveEntityOwner(entity), createdBy },
        `start agent sessions on ${entityRef}`,
      );
      // An owner past a refusing budget: say so before the user writes a prompt.
      await this.checkBudget(resolveEntityOwner(entity));
      return { policy, canCreate: true, repository };
    } catch (error) {
      if (error instanceof NotAllowedError || error instanceof InputError) {
        return { policy, canCreate: false, reason: error.message, ...(repository ? { repository } : {}) };
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
    if (session.kind === 'fanout') return this.cancelFanOut(session);
    const { session: cancelled } = await this.deps.transitions.transition(id, 'cancelled', {
      run: { reason: 'Cancelled by a user' },
    });
    await this.deps.runtime?.sessionCancelled(cancelled);
    return cancelled;
  }

  /**
   * Cancels every unfinished child of a fan-out (the right to cancel the fan-out covers its
   * children); the fan-out's status then follows, and is announced with the child that moved it. A
   * child that finishes meanwhile keeps its outcome.
   */
  private async cancelFanOut(fanOut: SessionWithRuns): Promise<SessionWithRuns> {
    const { store, transitions, runtime } = this.deps;
    if (isTerminalStatus(fanOut.status)) {
      throw new ConflictError(`Fan-out session ${fanOut.id} has finished (${fanOut.status}); there is nothing to cancel`);
    }
    const children = await store.listChildSessions(fanOut.id, { unfinishedOnly: true });
    for (const child of children) {
      let cancelled: Transitioned;
      try {
        cancelled = await transitions.transition(child.id, 'cancelled', {
          run: { reason: `Fan-out ${fanOut.id} was cancelled by a user` },
        });
      } catch (error) {
        if (error instanceof ConflictError) continue;
        throw error;
      }
      await runtime?.sessionCancelled(cancelled.session);
    }
    if (!fanOut.children?.total) {
      await transitions.transition(fanOut.id, 'cancelled');
    }
    return this.load(fanOut.id);
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
    await this.checkResumableInWaves(session);
    await this.checkBudget(session.entityOwnerRef);
    const { session: resumed } = await this.deps.transitions.resume(id, followUp);
    this.deps.runtime?.sessionQueued(resumed);
    return resumed;
  }

  /**
   * A task of a later wave than its fan-out's current one would stay pending for good once resumed
   * (its fan-out stopped, or it was cancelled before its wave came); a task of the current or an
   * earlier wave runs again on its own branch, but a stopped fan-out stays stopped (docs/fanout-waves.md).
   */
  private async checkResumableInWaves(session: Session): Promise<void> {
    if (session.wave === undefined || !session.parentSessionId) return;
    const parent = await this.deps.store.getSessionFields(session.parentSessionId);
    if (parent?.currentWave !== undefined && session.wave > parent.currentWave) {
      throw new ConflictError(
        `Session ${session.id} is a task of wave ${session.wave}, which fan-out ${parent.id} never reached${parent.waveError ? ` (${parent.waveError})` : ''}; start a new fan-out for the remaining waves`,
      );
    }
  }

  /**
   * Refuses a run when its owner's monthly budget is used up and set to `refuse`; under `queue` the
   * session is accepted and the launcher holds it (BudgetHolds).
   */
  private async checkBudget(ownerRef: string | undefined): Promise<void> {
    const verdict = await this.deps.budgets?.exceeded(ownerRef);
    if (!verdict || verdict.budget.onExceeded !== 'refuse') return;
    throw new BudgetExceededError(refusalMessage(verdict), verdict.owner, verdict.budgetText, verdict.usageText);
  }

  private async load(id: string): Promise<SessionWithRuns> {
    const session = await this.deps.store.getSession(id);
    if (!session) throw new NotFoundError(`No session with id ${id}`);
    return session;
  }
}

/**
 * A campaign fan-out pushes nothing, so its entity (the template, a system, a group) needs no
 * repository: it gets the entity's one when there is one, else none ('').
 */
function campaignSource(entity: Entity, rewrites: RepoUrlRewrite[]): { repoUrl: string; baseBranch?: string } {
  try {
    return resolveEntitySource(entity, rewrites);
  } catch (error) {
    if (error instanceof InputError) return { repoUrl: '' };
    throw error;
  }
}

/** `integrationBranch` only on a fan-out, `wave` only on a child; both checked before anything is read. */
function checkWaveFields(input: CreateSessionInput, kind: SessionKind) {
  if (input.integrationBranch !== undefined && kind !== 'fanout') {
    throw new InputError(
      'integrationBranch is only for a fan-out session (kind: fanout) that runs its tasks in waves; remove it from this session',
    );
  }
  if (input.wave !== undefined) {
    if (!input.parentSessionId) {
      throw new InputError(
        'wave is only for a task of a fan-out that runs in waves: give parentSessionId of a fan-out created with integrationBranch, or remove wave',
      );
    }
    if (!Number.isInteger(input.wave) || input.wave < 1 || input.wave > 1000) {
      throw new InputError(`wave must be an integer from 1 to 1000, not ${input.wave}`);
    }
  }
}

/** A child of a fan-out in waves must name its wave; a child of any other fan-out must not. */
function checkWave(wave: number | undefined, parent: Session) {
  if (parent.integrationBranch === undefined) {
    if (wave !== undefined) {
      throw new InputError(
        `Fan-out session ${parent.id} does not run in waves (it has no integrationBranch); remove wave, or create the fan-out with integrationBranch`,
      );
    }
    return;
  }
  if (wave === undefined) {
    throw new InputError(
      `Fan-out session ${parent.id} runs in waves on ${parent.integrationBranch}: give the task its wave (1 for tasks that may start now)`,
    );
  }
  if (parent.waveError) {
    throw new ConflictError(
      `Fan-out session ${parent.id} runs no further waves (${parent.waveError}); it takes no new tasks: start a new fan-out`,
    );
  }
  if (parent.currentWave !== undefined && wave < parent.currentWave) {
    throw new ConflictError(
      `Wave ${wave} of fan-out session ${parent.id} is over (it is at wave ${parent.currentWave}); add the task to wave ${parent.currentWave} or later`,
    );
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
