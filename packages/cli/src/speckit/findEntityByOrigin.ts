import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_SOURCE_LOCATION,
  readEntityRepository,
} from '@backstage-agents/plugin-agents-common';
import { ResponseError } from '@backstage/errors';
import type { Connection } from '../client';
import type { CliContext } from '../context';
import { CliError } from '../errors';
import { normalizeRepoUrl } from './gitOrigin';

type Entity = Parameters<typeof readEntityRepository>[0];

function refOf(entity: Entity): string {
  return `${entity.kind.toLowerCase()}:${
    entity.metadata.namespace ?? 'default'
  }/${entity.metadata.name}`;
}

function repoOf(entity: Entity): string | undefined {
  try {
    const repository = readEntityRepository(entity);
    return repository && normalizeRepoUrl(repository.repoUrl);
  } catch {
    return undefined; // A malformed annotation matches no repository.
  }
}

/**
 * The catalog entity whose repository is `origin` (the checkout's origin remote), through the
 * catalog's `entities/by-query` with the CLI's token. Prefers a Component when several entities share
 * the repository; refuses to guess between several components, or when none has it.
 */
export async function findEntityByOrigin(
  ctx: CliContext,
  conn: Connection,
  origin: string,
): Promise<string> {
  const wanted = normalizeRepoUrl(origin);
  const matches: Entity[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams();
    if (cursor) {
      query.set('cursor', cursor);
    } else {
      // Two filters are OR'ed: entities with either annotation.
      query.append(
        'filter',
        `metadata.annotations.${ANNOTATION_SOURCE_LOCATION}`,
      );
      query.append(
        'filter',
        `metadata.annotations.${ANNOTATION_GITHUB_PROJECT_SLUG}`,
      );
      query.set(
        'fields',
        'kind,metadata.name,metadata.namespace,metadata.annotations',
      );
      query.set('limit', '500');
    }
    const response = await ctx.fetch(
      `${conn.backend}/api/catalog/entities/by-query?${query}`,
      {
        headers: conn.auth.token
          ? { Authorization: `Bearer ${conn.auth.token}` }
          : {},
      },
    );
    if (!response.ok) throw await ResponseError.fromResponse(response);
    const page = (await response.json()) as {
      items: Entity[];
      pageInfo?: { nextCursor?: string };
    };
    matches.push(...page.items.filter(e => repoOf(e) === wanted));
    cursor = page.pageInfo?.nextCursor;
  } while (cursor);

  const components = matches.filter(e => e.kind.toLowerCase() === 'component');
  const candidates = components.length > 0 ? components : matches;
  if (candidates.length === 1) return refOf(candidates[0]);
  if (candidates.length === 0) {
    throw new CliError(
      `No catalog entity at ${conn.backend} has this checkout's repository (${origin}): pass the entity with --entity kind:namespace/name`,
    );
  }
  throw new CliError(
    `Several catalog entities have this checkout's repository (${origin}): ${candidates
      .map(refOf)
      .join(', ')}; pick one with --entity`,
  );
}
