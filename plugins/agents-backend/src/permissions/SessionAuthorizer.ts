import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  type PermissionCriteria,
  type ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  createConditionTransformer,
  type PermissionRuleset,
} from '@backstage/plugin-permission-node';
import {
  agentsSessionReadPermission,
  AGENTS_SESSION_RESOURCE_TYPE,
} from '@backstage-agents/plugin-agents-common';
import type {
  AgentsSessionFilter,
  AgentsSessionPermissionResource,
} from '@backstage-agents/plugin-agents-node';

type SessionPermission = ResourcePermission<typeof AGENTS_SESSION_RESOURCE_TYPE>;

/**
 * Decides `agents.session.*` permissions. Conditional decisions are evaluated here, against the
 * session (or the session about to be created) for single ones and as SQL for listings, so no
 * request needs a round trip back from the permission backend.
 */
export class SessionAuthorizer {
  private readonly isAllowed: ReturnType<
    typeof createConditionAuthorizer<AgentsSessionPermissionResource>
  >;
  private readonly toFilter: ReturnType<
    typeof createConditionTransformer<AgentsSessionFilter>
  >;

  constructor(
    private readonly permissions: PermissionsService,
    ruleset: PermissionRuleset<
      AgentsSessionPermissionResource,
      AgentsSessionFilter,
      typeof AGENTS_SESSION_RESOURCE_TYPE
    >,
  ) {
    this.isAllowed = createConditionAuthorizer(ruleset);
    this.toFilter = createConditionTransformer(ruleset);
  }

  /** Throws NotAllowedError (403) unless the caller has `permission` on `resource`. */
  async authorize(
    permission: SessionPermission,
    credentials: BackstageCredentials,
    resource: AgentsSessionPermissionResource,
    what: string,
  ): Promise<void> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission }],
      { credentials },
    );
    if (!this.isAllowed(decision, resource)) {
      throw new NotAllowedError(
        `You are not allowed to ${what} (permission ${permission.name})`,
      );
    }
  }

  /**
   * The filter that limits a listing to the sessions the caller may read: undefined when all are
   * allowed; throws NotAllowedError when none are.
   */
  async readFilter(
    credentials: BackstageCredentials,
  ): Promise<PermissionCriteria<AgentsSessionFilter> | undefined> {
    const [decision] = await this.permissions.authorizeConditional(
      [{ permission: agentsSessionReadPermission }],
      { credentials },
    );
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        `You are not allowed to read agent sessions (permission ${agentsSessionReadPermission.name})`,
      );
    }
    return decision.result === AuthorizeResult.CONDITIONAL
      ? this.toFilter(decision.conditions)
      : undefined;
  }
}
