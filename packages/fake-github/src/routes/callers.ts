import { loginOf, Principal } from '../auth';
import { jwtNotDecoded, notFound, requiresAuthentication } from '../errors';
import type { UserRef } from '../model';
import type { RestRequest } from '../restRouter';
import type { GitHubStore } from '../store';

/** The App behind an App JWT; App endpoints refuse every other caller as GitHub does. */
export function requireApp(req: RestRequest, doc: string) {
  if (req.principal.kind === 'app') return req.principal.app;
  if (req.principal.kind === 'anonymous') throw requiresAuthentication(doc);
  // An installation token or PAT where an App JWT is needed.
  throw jwtNotDecoded();
}

/** One of the calling App's installations; another App's is 404. */
export function ownInstallation(req: RestRequest, id: number, doc: string) {
  const app = requireApp(req, doc);
  const installation = app.installations.find(i => i.id === id);
  if (!installation) throw notFound(doc);
  return installation;
}

/** Who a write is recorded as: an installation acts as its App's bot user. */
export const userOf = (store: GitHubStore, principal: Principal): UserRef =>
  principal.kind === 'installation'
    ? store.botUser(principal.token.appId)
    : { login: loginOf(store, principal), type: 'User' };
