import {
  parseEntityRef,
  stringifyEntityRef,
  RELATION_OWNED_BY,
  type Entity,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_SOURCE_LOCATION,
  readEntityRepository,
} from '@backstage-agents/plugin-agents-common';
import { rewriteRepoUrl, type RepoUrlRewrite } from '@backstage-agents/plugin-agents-node';

export type { RepoUrlRewrite };

export interface EntitySource {
  /** Where sessions clone the repository from (after `agents.git.rewrites`). */
  repoUrl: string;
  /** The repository as the entity's annotations name it. */
  sourceUrl: string;
  /** Undefined when the annotation names no branch: the repository's default branch is used. */
  baseBranch?: string;
}

/**
 * The Git repository a session on the entity works on: the one its annotations name (see
 * `readEntityRepository`), as `agents.git.rewrites` says to reach it. Says which annotation to add
 * when there is none.
 */
export function resolveEntitySource(
  entity: Entity,
  rewrites: RepoUrlRewrite[] = [],
): EntitySource {
  const repository = readEntityRepository(entity);
  if (!repository) {
    throw new InputError(
      `Entity ${stringifyEntityRef(entity)} has no Git source: add the ${ANNOTATION_SOURCE_LOCATION} annotation (url:https://github.com/<org>/<repo>/tree/<branch>/) or the ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation (<org>/<repo>) to it`,
    );
  }
  return {
    repoUrl: rewriteRepoUrl(repository.repoUrl, rewrites),
    sourceUrl: repository.repoUrl,
    ...(repository.baseBranch !== undefined ? { baseBranch: repository.baseBranch } : {}),
  };
}

/** The entity's owner as a full entity ref, from its relations or `spec.owner`. */
export function resolveEntityOwner(entity: Entity): string | undefined {
  const relation = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (relation) return relation.targetRef;
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) return undefined;
  return stringifyEntityRef(
    parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}
