import {
  ANNOTATION_SOURCE_LOCATION,
  getEntitySourceLocation,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

export { ANNOTATION_SOURCE_LOCATION };

/** The GitHub repository of an entity, as `<owner>/<repo>`. */
export const ANNOTATION_GITHUB_PROJECT_SLUG = 'github.com/project-slug';

/** The annotations that name an entity's repository, in the order they are read. */
export const ENTITY_REPOSITORY_ANNOTATIONS = [
  ANNOTATION_SOURCE_LOCATION,
  ANNOTATION_GITHUB_PROJECT_SLUG,
] as const;

/** The repository an entity's annotations name. */
export type EntityRepository = {
  /** The annotation it was read from. */
  annotation: (typeof ENTITY_REPOSITORY_ANNOTATIONS)[number];
  /** The repository's URL, without a branch or path. */
  repoUrl: string;
  /** The branch the annotation names; undefined for the repository's default branch. */
  baseBranch?: string;
  /** Where in the repository the entity is: the source location as written, or the repository. */
  location: string;
};

// `/tree/<branch>` (GitHub, Gitea), `/-/tree/<branch>` (GitLab), `/src/<branch>` (Bitbucket) and blobs.
const BRANCH_PATH = /^(.*?)\/(?:-\/)?(?:tree|blob|src)\/([^/]+)(?:\/.*)?$/;
const PROJECT_SLUG = /^[\w.-]+\/[\w.-]+$/;

/**
 * Whether an entity names a repository the agents can work on: it has a `backstage.io/source-location`
 * or a `github.com/project-slug` annotation. {@link readEntityRepository} says whether it is usable.
 */
export function hasEntityRepository(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return ENTITY_REPOSITORY_ANNOTATIONS.some(name => Boolean(annotations[name]));
}

/**
 * The entity's repository, from `backstage.io/source-location` (a `url:` location) or, failing that,
 * `github.com/project-slug`. Undefined when the entity has neither; an `InputError` that says what to
 * fix when the annotation it has names no repository.
 */
export function readEntityRepository(
  entity: Entity,
): EntityRepository | undefined {
  const annotations = entity.metadata.annotations ?? {};
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
        `Entity ${stringifyEntityRef(
          entity,
        )} has a ${ANNOTATION_SOURCE_LOCATION} annotation that is not a Git URL ('${
          annotations[ANNOTATION_SOURCE_LOCATION]
        }'); use the form url:https://github.com/<org>/<repo>/tree/<branch>/`,
      );
    }
    const trimmed = target.replace(/\/+$/, '');
    const match = BRANCH_PATH.exec(trimmed);
    return {
      annotation: ANNOTATION_SOURCE_LOCATION,
      repoUrl: match ? match[1] : trimmed,
      ...(match ? { baseBranch: decodeURIComponent(match[2]) } : {}),
      location: target,
    };
  }
  const slug = annotations[ANNOTATION_GITHUB_PROJECT_SLUG]?.trim();
  if (slug) {
    if (!PROJECT_SLUG.test(slug)) {
      throw new InputError(
        `Entity ${stringifyEntityRef(
          entity,
        )} has a ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation that is not of the form <owner>/<repo> ('${slug}')`,
      );
    }
    const repoUrl = `https://github.com/${slug}`;
    return {
      annotation: ANNOTATION_GITHUB_PROJECT_SLUG,
      repoUrl,
      location: repoUrl,
    };
  }
  return undefined;
}
