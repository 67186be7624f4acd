import type { Actions } from './actions';
import type { Route } from './restRouter';
import { appRoutes } from './routes/apps';
import { contentsRoutes } from './routes/contents';
import { gitRefRoutes } from './routes/gitRefs';
import { installationTokenRoutes } from './routes/installationTokens';
import { issueRoutes } from './routes/issues';
import { mergeRoutes } from './routes/merges';
import { pullRoutes } from './routes/pulls';
import { repositoryRoutes } from './routes/repositories';
import type { GitHubStore } from './store';

/**
 * The REST endpoints, one module per resource under `routes/`; see the README for what each enforces.
 * `GET /rate_limit` is answered by the REST handler itself, as it needs the caller's bucket.
 */
export function restRoutes(store: GitHubStore, actions: Actions): Route[] {
  const ctx = { store, actions };
  return [
    ...appRoutes(ctx),
    ...installationTokenRoutes(ctx),
    ...repositoryRoutes(ctx),
    ...contentsRoutes(ctx),
    ...gitRefRoutes(ctx),
    ...mergeRoutes(ctx),
    ...pullRoutes(ctx),
    ...issueRoutes(ctx),
  ];
}
