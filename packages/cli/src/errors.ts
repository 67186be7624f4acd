import { ResponseError } from '@backstage/errors';

/** An error whose message already says what to fix. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** How to get a token, in the words of an error message. */
export function tokenHelp(backend: string): string {
  return (
    `Pass a Backstage token with --token or BACKSTAGE_TOKEN. In development (guest sign-in): ` +
    `export BACKSTAGE_TOKEN=$(curl -s -X POST ${backend}/api/auth/guest/refresh | jq -r .backstageIdentity.token). ` +
    `In production, ask your Backstage admin for a static token (backend.auth.externalAccess); see docs/cli.md#tokens`
  );
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The network error code fetch failed with (undici puts it on the cause), if any. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return code;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors)) {
      const inner = errors.map(networkCode).find(Boolean);
      if (inner) return inner;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * What went wrong, in a sentence that says what to fix: a refusal of the backend (with its own
 * message), a bad or missing token, no permission, or a backend that does not answer.
 */
export function describeError(
  error: unknown,
  context: { backend: string; token?: string },
): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof ResponseError) {
    const message = error.body?.error?.message || error.message;
    switch (error.statusCode) {
      case 400:
        return message;
      case 401:
        return context.token
          ? `The backend at ${
              context.backend
            } refused the token (401 ${message}): it is malformed or expired. ${tokenHelp(
              context.backend,
            )}`
          : `The backend at ${
              context.backend
            } needs a token (401 ${message}). ${tokenHelp(context.backend)}`;
      case 403:
        return `Not allowed: ${message}. Ask your Backstage admin for the agents permission this needs (agents.session.create, .read, .cancel or .resume).`;
      case 404:
        return error.body?.error?.name === 'NotFoundError'
          ? `${message}. List the sessions you can see with: backstage-agents list`
          : `${message}: is ${context.backend} a Backstage backend with the agents plugin? Set --backend or BACKSTAGE_URL.`;
      default:
        return `The backend answered ${error.statusCode}: ${message}`;
    }
  }
  const code = networkCode(error);
  if (code) {
    return `Cannot reach the Backstage backend at ${context.backend} (${code}): is it running? Set --backend or BACKSTAGE_URL.`;
  }
  // fetch fails with a TypeError whose cause says why (a bad port, a TLS problem, …).
  const message = messageOf(error);
  if (message === 'fetch failed') {
    const cause = messageOf((error as { cause?: unknown }).cause);
    return `Cannot reach the Backstage backend at ${context.backend}${
      cause ? ` (${cause})` : ''
    }: is it running? Set --backend or BACKSTAGE_URL.`;
  }
  return message;
}

/** The message of an error from any realm (`instanceof Error` fails across them). */
function messageOf(error: unknown): string {
  if (error && typeof (error as { message?: unknown }).message === 'string') {
    return (error as { message: string }).message;
  }
  return error === undefined ? '' : String(error);
}
