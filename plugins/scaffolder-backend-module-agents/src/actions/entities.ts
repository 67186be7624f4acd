import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_SOURCE_LOCATION,
  normalizeEntityRef,
  readEntityRepository,
} from '@backstage-agents/plugin-agents-common';

/**
 * `host/owner/repo`, lowercase, from a repository URL in any of the forms templates and annotations
 * use: `https://github.com/o/r(.git)(/tree/main/...)`, `url:https://...`, or the RepoUrlPicker's
 * `github.com?owner=o&repo=r`. Undefined when it names no repository.
 */
export function repoKey(value: string): string | undefined {
  let text = value.trim();
  if (text.startsWith('url:')) text = text.slice(4);
  const picker = /^([^/?#\s]+)\?(.*)$/.exec(text);
  if (picker) {
    const params = new URLSearchParams(picker[2]);
    const owner = params.get('owner') ?? params.get('organization') ?? params.get('workspace');
    const repo = params.get('repo');
    if (!owner || !repo) return undefined;
    return `${picker[1]}/${owner}/${repo}`.toLowerCase();
  }
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `https://${text}`);
  } catch {
    return undefined;
  }
  const segments = url.pathname.split('/').filter(Boolean);
  const cut = segments.findIndex(s => s === 'tree' || s === 'blob' || s === 'src' || s === '-');
  const repoPath = (cut >= 0 ? segments.slice(0, cut) : segments).join('/').replace(/\.git$/, '');
  if (!repoPath.includes('/')) return undefined;
  return `${url.host}/${repoPath}`.toLowerCase();
}

/**
 * The repository key of an entity: that of the repository its annotations name, the one a session on
 * it works on. Undefined when they name none (an entity whose annotation is malformed matches nothing).
 */
function entityRepoKey(entity: Entity): string | undefined {
  try {
    const repository = readEntityRepository(entity);
    return repository && repoKey(repository.repoUrl);
  } catch {
    return undefined;
  }
}

/**
 * Finds the catalog entity whose repository is `repoUrl`. Prefers a Component when several entities
 * share the repository; refuses to guess between several components.
 */
export async function findEntityByRepoUrl(
  repoUrl: string,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<Entity> {
  const wanted = repoKey(repoUrl);
  if (!wanted) {
    throw new InputError(
      `repoUrl '${repoUrl}' names no repository; use https://<host>/<owner>/<repo> or <host>?owner=<owner>&repo=<repo>`,
    );
  }
  const fields = ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations', 'spec.type'];
  const [bySource, bySlug] = await Promise.all([
    catalog.getEntities(
      { filter: { [`metadata.annotations.${ANNOTATION_SOURCE_LOCATION}`]: CATALOG_FILTER_EXISTS }, fields },
      { credentials },
    ),
    catalog.getEntities(
      { filter: { [`metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`]: CATALOG_FILTER_EXISTS }, fields },
      { credentials },
    ),
  ]);
  const matches = new Map<string, Entity>();
  for (const entity of [...bySource.items, ...bySlug.items]) {
    if (entityRepoKey(entity) === wanted) matches.set(stringifyEntityRef(entity), entity);
  }
  const all = [...matches.values()];
  if (all.length === 0) {
    throw new NotFoundError(
      `No catalog entity has the repository ${repoUrl} in its ${ANNOTATION_SOURCE_LOCATION} or ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation; register the component or pass entityRef instead`,
    );
  }
  const components = all.filter(e => e.kind.toLowerCase() === 'component');
  const candidates = components.length > 0 ? components : all;
  if (candidates.length > 1) {
    throw new InputError(
      `Several catalog entities have the repository ${repoUrl}: ${candidates
        .map(e => stringifyEntityRef(e))
        .join(', ')}; pass entityRef to choose one`,
    );
  }
  return candidates[0];
}

/** The entity ref to work on: `entityRef` as given, or the entity found for `repoUrl`. */
export async function resolveTargetEntityRef(
  input: { entityRef?: string; repoUrl?: string },
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<string> {
  if (input.entityRef?.trim()) return normalizeEntityRef(input.entityRef);
  if (input.repoUrl?.trim()) {
    return stringifyEntityRef(await findEntityByRepoUrl(input.repoUrl, catalog, credentials));
  }
  throw new InputError('Give either entityRef or repoUrl: the component whose repository the agent works on');
}
