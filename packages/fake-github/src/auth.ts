import { IncomingMessage } from 'node:http';
import { badCredentials, GitHubError } from './errors';
import { looksLikeJwt, verifyAppJwt } from './jwt';
import {
  IssuedToken,
  PermissionLevel,
  PersonalAccessTokenConfig,
  RepoRecord,
  RequestLogEntry,
} from './model';
import { AppRecord, GitHubStore, levelAtLeast } from './store';

/** Who a request authenticated as. */
export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'installation'; token: IssuedToken }
  | { kind: 'pat'; pat: PersonalAccessTokenConfig }
  | { kind: 'app'; app: AppRecord };

export interface Credential {
  scheme: 'token' | 'bearer' | 'basic';
  secret: string;
  username?: string;
}

/** Reads `Authorization: token X`, `Bearer X` or `Basic base64(user:secret)`. */
export function readCredential(req: IncomingMessage): Credential | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^(\S+)\s+(.+)$/.exec(header.trim());
  if (!match) return { scheme: 'token', secret: '' };
  const scheme = match[1].toLowerCase();
  const value = match[2].trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const username = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const password = colon >= 0 ? decoded.slice(colon + 1) : '';
    // `https://<token>@host/...` sends the token as the user name with an empty password.
    return { scheme: 'basic', username, secret: password || username };
  }
  if (scheme === 'token' || scheme === 'bearer')
    return { scheme, secret: value };
  return { scheme: 'token', secret: '' };
}

export function tokenIsLive(token: IssuedToken, nowMs: number): boolean {
  return !token.revoked && Date.parse(token.expiresAt) > nowMs;
}

/**
 * Resolves a credential to a principal. Installation tokens and PATs are looked up; a JWT is verified
 * as an App JWT (only when `allowJwt`). Anything unknown, expired or revoked is a 401 "Bad credentials";
 * JWT problems carry GitHub's JWT messages.
 */
export function authenticate(
  store: GitHubStore,
  credential: Credential | undefined,
  options: { allowJwt: boolean; nowMs: number },
): Principal {
  if (!credential) return { kind: 'anonymous' };
  const secret = credential.secret;
  if (!secret) throw badCredentials();
  const token = store.tokens.get(secret);
  if (token) {
    if (!tokenIsLive(token, options.nowMs)) throw badCredentials();
    return { kind: 'installation', token };
  }
  const pat = store.pats.get(secret);
  if (pat) return { kind: 'pat', pat };
  if (
    options.allowJwt &&
    credential.scheme !== 'basic' &&
    looksLikeJwt(secret)
  ) {
    const issuers = [...store.apps.values()].map(app => ({
      ids: [String(app.appId), app.clientId],
      publicKeyPem: app.publicKeyPem,
      app,
    }));
    const { app } = verifyAppJwt(
      secret,
      issuers,
      Math.floor(options.nowMs / 1000),
    );
    return { kind: 'app', app };
  }
  throw badCredentials();
}

/** Whether the principal can see a repository at all (GitHub answers 404 otherwise). */
export function canSee(
  store: GitHubStore,
  principal: Principal,
  repo: RepoRecord,
): boolean {
  switch (principal.kind) {
    case 'pat':
      return true;
    case 'installation':
      return store.tokenCovers(principal.token, repo);
    case 'anonymous':
      return !repo.private;
    default:
      return false;
  }
}

/** The principal's level of one App permission on a repository it can see. */
export function permissionOf(
  principal: Principal,
  name: string,
  repo: RepoRecord,
): PermissionLevel | undefined {
  switch (principal.kind) {
    case 'pat':
      return 'admin';
    case 'installation':
      if (name === 'metadata') return 'read';
      return principal.token.permissions[name];
    case 'anonymous':
      return repo.private ? undefined : 'read';
    default:
      return undefined;
  }
}

/**
 * Checks that the principal holds one of the permissions (any of them at the level), answering like
 * GitHub when not: 401 "Requires authentication" for anonymous writes, 403 "Resource not accessible by
 * integration" (with `x-accepted-github-permissions`) for installation tokens.
 */
export function requirePermission(
  principal: Principal,
  repo: RepoRecord,
  wanted: Array<[string, PermissionLevel]>,
  doc: string,
): void {
  if (
    wanted.some(([n, l]) => levelAtLeast(permissionOf(principal, n, repo), l))
  )
    return;
  if (principal.kind === 'anonymous')
    throw new GitHubError(401, 'Requires authentication', doc);
  throw new GitHubError(
    403,
    'Resource not accessible by integration',
    doc,
    undefined,
    {
      'x-accepted-github-permissions': wanted
        .map(([n, l]) => `${n}=${l}`)
        .join('; '),
    },
  );
}

/** The login GitHub names in messages such as "Permission to o/r.git denied to …". */
export function loginOf(store: GitHubStore, principal: Principal): string {
  switch (principal.kind) {
    case 'pat':
      return principal.pat.login;
    case 'installation':
      return store.botUser(principal.token.appId).login;
    case 'app':
      return principal.app.slug;
    default:
      return 'anonymous';
  }
}

export function logAuth(principal: Principal): RequestLogEntry['auth'] {
  switch (principal.kind) {
    case 'installation':
      return {
        kind: 'installation',
        installationId: principal.token.installationId,
        appId: principal.token.appId,
      };
    case 'pat':
      return { kind: 'pat', login: principal.pat.login };
    case 'app':
      return { kind: 'app', appId: principal.app.appId };
    default:
      return { kind: 'anonymous' };
  }
}
