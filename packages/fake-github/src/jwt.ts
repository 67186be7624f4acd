import {
  createPrivateKey,
  createPublicKey,
  createSign,
  createVerify,
  generateKeyPairSync,
} from 'node:crypto';
import { GitHubError, jwtNotDecoded } from './errors';

export interface AppKeyPair {
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"), the format GitHub hands out for App keys. */
  privateKeyPem: string;
  /** SPKI PEM, what the fake verifies App JWTs with. */
  publicKeyPem: string;
}

/** Generates an RSA key pair like the private key GitHub generates for an App. */
export function generateAppKeyPair(): AppKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
  });
  return {
    privateKeyPem: privateKey
      .export({ type: 'pkcs1', format: 'pem' })
      .toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** The public key (SPKI PEM) of a private key in any PEM format node:crypto reads. */
export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem))
    .export({ type: 'spki', format: 'pem' })
    .toString();
}

const b64url = (input: Buffer | string) =>
  Buffer.from(input).toString('base64url');

export interface SignAppJwtOptions {
  /** The `iss` claim: the App id (number or string) or its client id. */
  issuer: number | string;
  privateKeyPem: string;
  /** Seconds since the epoch; default now − 30 s. */
  iat?: number;
  /** Seconds since the epoch; default iat + 9 minutes. */
  exp?: number;
  /** Defaults to RS256; anything else is refused by the fake, as by GitHub. */
  alg?: string;
}

/** Signs an App JWT (RS256) the way Octokit's auth-app does; for tests that call the API directly. */
export function signAppJwt(options: SignAppJwtOptions): string {
  const iat = options.iat ?? Math.floor(Date.now() / 1000) - 30;
  const exp = options.exp ?? iat + 9 * 60;
  const header = b64url(
    JSON.stringify({ alg: options.alg ?? 'RS256', typ: 'JWT' }),
  );
  const payload = b64url(JSON.stringify({ iat, exp, iss: options.issuer }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer
    .sign(options.privateKeyPem)
    .toString('base64url')}`;
}

/** Whether a bearer credential looks like a JWT (three base64url parts, JSON header). */
export function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(token);
}

export interface JwtIssuerKey {
  /** The ids an `iss` may name: the App id and, if configured, its client id. */
  ids: string[];
  publicKeyPem: string;
}

/** Maximum JWT lifetime GitHub accepts. */
const MAX_LIFETIME_SECONDS = 600;
/** Clock drift tolerated on an `iat` in the future. */
const LEEWAY_SECONDS = 60;

/**
 * Verifies an App JWT with node:crypto the way GitHub does: RS256 only, the `iss` names a known App whose
 * key verifies the signature, `iat` an integer not in the future (a minute of drift allowed), `exp` in the future, at most ten
 * minutes after `iat` and at most ten minutes from now. Returns the matching issuer; throws a 401 GitHubError with GitHub's messages.
 */
export function verifyAppJwt<T extends JwtIssuerKey>(
  token: string,
  issuers: T[],
  nowSeconds: number,
): T {
  const parts = token.split('.');
  if (parts.length !== 3) throw jwtNotDecoded();
  let header: any;
  let claims: any;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw jwtNotDecoded();
  }
  if (
    !header ||
    header.alg !== 'RS256' ||
    !claims ||
    typeof claims !== 'object' ||
    (typeof claims.iss !== 'string' && typeof claims.iss !== 'number')
  ) {
    throw jwtNotDecoded();
  }
  const issuer = issuers.find(i => i.ids.includes(String(claims.iss)));
  if (!issuer) throw jwtNotDecoded();
  const verifier = createVerify('RSA-SHA256');
  verifier.update(`${parts[0]}.${parts[1]}`);
  let valid = false;
  try {
    valid = verifier.verify(
      issuer.publicKeyPem,
      Buffer.from(parts[2], 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw jwtNotDecoded();

  const { iat, exp } = claims;
  if (!Number.isInteger(iat) || iat > nowSeconds + LEEWAY_SECONDS) {
    throw new GitHubError(
      401,
      "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    );
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowSeconds) {
    throw new GitHubError(
      401,
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (
    exp - iat > MAX_LIFETIME_SECONDS ||
    exp > nowSeconds + MAX_LIFETIME_SECONDS
  ) {
    throw new GitHubError(
      401,
      "'Expiration time' claim ('exp') is too far in the future",
    );
  }
  return issuer;
}
