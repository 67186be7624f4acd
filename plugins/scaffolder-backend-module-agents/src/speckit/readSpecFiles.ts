import type { UrlReaderService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_GITHUB_PROJECT_SLUG,
  ANNOTATION_SOURCE_LOCATION,
  readEntityRepository,
} from '@backstage-agents/plugin-agents-common';
import { rewriteRepoUrl, type RepoUrlRewrite } from '@backstage-agents/plugin-agents-node';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';

/** The files of a spec-kit feature; `spec` and `plan` are undefined when the repository lacks them. */
export interface SpecFiles {
  tasksUrl: string;
  tasks: string;
  spec?: string;
  plan?: string;
}

/**
 * The URL the entity's repository is read from: the source location as written (its branch and
 * directory), or the default branch of the repository its GitHub project slug names.
 */
export function entitySourceBase(entity: Entity): string {
  const repository = readEntityRepository(entity);
  if (!repository) {
    throw new InputError(
      `Entity ${stringifyEntityRef(entity)} has no repository to read specs from: add the ${ANNOTATION_SOURCE_LOCATION} (url:https://github.com/<org>/<repo>/tree/<branch>/) or the ${ANNOTATION_GITHUB_PROJECT_SLUG} annotation`,
    );
  }
  return repository.annotation === ANNOTATION_GITHUB_PROJECT_SLUG
    ? `${repository.repoUrl}/blob/HEAD/`
    : repository.location;
}

async function read(urlReader: UrlReaderService, url: string): Promise<string | undefined> {
  try {
    const response = await urlReader.readUrl(url);
    return (await response.buffer()).toString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NotFoundError') return undefined;
    throw new Error(`Could not read ${url}: ${(error as Error).message}`);
  }
}

/** Reads `specs/<feature>/{tasks,spec,plan}.md` from the root of the entity's repository. */
export async function readSpecFiles(opts: {
  entity: Entity;
  feature: string;
  urlReader: UrlReaderService;
  integrations: ScmIntegrationRegistry;
  rewrites?: RepoUrlRewrite[];
}): Promise<SpecFiles> {
  const base = rewriteRepoUrl(entitySourceBase(opts.entity), opts.rewrites ?? []);
  const urlOf = (file: string) =>
    opts.integrations.resolveUrl({ url: `/specs/${opts.feature}/${file}`, base });
  const tasksUrl = urlOf('tasks.md');
  const [tasks, spec, plan] = await Promise.all([
    read(opts.urlReader, tasksUrl),
    read(opts.urlReader, urlOf('spec.md')),
    read(opts.urlReader, urlOf('plan.md')),
  ]);
  if (tasks === undefined) {
    throw new NotFoundError(
      `${tasksUrl} was not found: is "${opts.feature}" a directory under specs/ with a tasks.md (run spec-kit's /tasks first)?`,
    );
  }
  return { tasksUrl, tasks, spec, plan };
}
