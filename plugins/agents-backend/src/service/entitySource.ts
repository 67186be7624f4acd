import {
  ANNOTATION_SOURCE_LOCATION,
  getEntitySourceLocation,
  parseEntityRef,
  stringifyEntityRef,
  RELATION_OWNED_BY,
  type Entity,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { rewriteRepoUrl, type RepoUrlRewrite } from '@backstage-agents/plugin-agents-node';

export type { RepoUrlRewrite };

export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';

export interface EntitySource {
  repoUrl: string;
  /** Undefined when the annotation names no branch: the repository's default branch is used. */
  baseBranch?: string;
}

// `/tree/<branch>` (GitHub, Gitea), `/-/tree/<branch>` (GitLab), `/src/<branch>` (Bitbucket) and blobs.
const BRANCH_PATH = /^(.*?)\/(?:-\/)?(?:tree|blob|src)\/([^/]+)(?:\/.*)?$/;

/**
 * Finds the Git repository of a catalog entity from `backstage.io/source-location` or, failing that,
 * `github.com/project-slug`, and says which annotation to add when neither is there.
 */
export function resolveEntitySource(
  entity: Entity,
  rewrites: RepoUrlRewrite[] = [],
): EntitySource {
  const ref = stringifyEntityRef(entity);
  const annotations = entity.metadata.annotations ?? {};
  let source: EntitySource | undefined;

  if (annotations[ANNOTATION_SOURCE_LOCATION]) {
    let target: string;
    try {
      const location = getEntitySourceLocation(entity);
      if (location.type !== 'url') throw new Error(location.type);
      target = location.target;
      // Only to refuse what is not a URL.
      // eslint-disable-next-line no-new
      new URL(target);
    } catch {
      throw new InputError(
        `Entity ${ref} has a ${ANNOTATION_SOURCE_LOCATION} annotation that is not a Git URL ('${annotations[ANNOTATION_SOURCE_LOCATION]}'); use the form url:https://github.com/<org>/<repo>/tree/<branch>/`,
      );
    }
    source = fromUrl(target);
  } else if (annotations[ANNOTATION_GITHUB_PROJECT_SLUG]) {
    const slug = annotations[ANNOTATION_GITHUB_PROJECT_SLUG].trim();
    if (!/^[\w.-]+\/[\w.-]+$/.test(slug)) {
      throw new InputError(
        `Entity ${ref} has a ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation that is not of the form <owner>/<repo> ('${slug}')`,
      );
    }
    source = { repoUrl: `https://github.com/${slug}` };
  }

  if (!source) {
    throw new InputError(
      `Entity ${ref} has no Git source: add the ${ANNOTATION_SOURCE_LOCATION} annotation (url:https://github.com/<org>/<repo>/tree/<branch>/) or the ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation (<org>/<repo>) to it`,
    );
  }
  return { ...source, repoUrl: rewriteRepoUrl(source.repoUrl, rewrites) };
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

function fromUrl(target: string): EntitySource {
  const trimmed = target.replace(/\/+$/, '');
  const match = BRANCH_PATH.exec(trimmed);
  if (match) return { repoUrl: match[1], baseBranch: decodeURIComponent(match[2]) };
  return { repoUrl: trimmed };
}
