import { createHash } from 'node:crypto';
import type {
  AuthService,
  DiscoveryService,
  LoggerService,
  UrlReaderService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  HARNESS_NAMES,
  TERMINAL_STATUSES,
  type SessionStatus,
} from '@backstage-agents/plugin-agents-common';
import { AgentsApi, type AgentsSession } from '../client/AgentsApi';

/** What the actions need from the backend. */
export interface AgentsActionsOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  config: Config;
  catalog: CatalogService;
  urlReader: UrlReaderService;
  /** How often a waiting action polls the session (default 2 s). For tests. */
  pollIntervalMs?: number;
  /** The fetch implementation (default the global one). For tests. */
  fetch?: typeof fetch;
}

export const HARNESSES = HARNESS_NAMES;

/** The id the dry-run output uses in place of a session id. */
export const DRY_RUN_SESSION_ID = '00000000-0000-0000-0000-000000000000';

export function createApi(options: AgentsActionsOptions): AgentsApi {
  return new AgentsApi({
    discovery: options.discovery,
    auth: options.auth,
    fetch: options.fetch,
  });
}

/** The session's page in the app: `<app.baseUrl>/agents/sessions/<id>`. */
export function sessionUrl(config: Config, sessionId: string): string {
  const base = config.getString('app.baseUrl').replace(/\/+$/, '');
  return `${base}/agents/sessions/${encodeURIComponent(sessionId)}`;
}

/**
 * A key that is the same every time the same scaffolder task runs the same step (and item), so a
 * retried task gets the session it already started instead of another one. At most 200 characters.
 */
export function idempotencyKey(...parts: Array<string | undefined>): string {
  const key = ['scaffolder', ...parts.map(p => p ?? '-')].join(':');
  if (key.length <= 200) return key;
  return `scaffolder:sha256:${createHash('sha256').update(key).digest('hex')}`;
}

export type WaitFor = 'none' | 'started' | 'finished';

const STARTED_STATUSES: readonly SessionStatus[] = ['running', ...TERMINAL_STATUSES];

function reached(status: SessionStatus, waitFor: WaitFor): boolean {
  if (waitFor === 'none') return true;
  if (waitFor === 'started') return STARTED_STATUSES.includes(status);
  return TERMINAL_STATUSES.includes(status);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('The task was cancelled while waiting for the agent session'));
      return;
    }
    const timer = setTimeout(() => {
      // Defined below; this runs only after it is.
      // eslint-disable-next-line @typescript-eslint/no-use-before-define
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('The task was cancelled while waiting for the agent session'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `GET /sessions/{id}` until the session has started or finished (as asked) or the timeout
 * passes, logging each status change. Returns the last session read.
 */
export async function waitForSession(opts: {
  read: () => Promise<AgentsSession>;
  initial: AgentsSession;
  waitFor: WaitFor;
  timeoutMs: number;
  intervalMs: number;
  logger: LoggerService;
  signal?: AbortSignal;
  url: string;
}): Promise<AgentsSession> {
  const { waitFor, logger } = opts;
  let session = opts.initial;
  const deadline = Date.now() + opts.timeoutMs;
  while (!reached(session.status, waitFor)) {
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${Math.round(opts.timeoutMs / 1000)} s waiting for agent session ${session.id} to have ${waitFor}; its last status was '${session.status}' (${opts.url})`,
      );
    }
    await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), opts.signal);
    const previous = session.status;
    session = await opts.read();
    if (session.status !== previous) {
      logger.info(`Agent session ${session.id}: ${previous} → ${session.status}`);
    }
  }
  return session;
}

/** Throws when the session ended without success, naming its status and why. */
export function assertNotFailed(session: AgentsSession, url: string): void {
  if (TERMINAL_STATUSES.includes(session.status) && session.status !== 'succeeded') {
    const run = session.runs?.[session.runs.length - 1];
    const why = run?.reason ?? session.summary;
    throw new Error(
      `Agent session ${session.id} ended '${session.status}'${why ? `: ${why}` : ''} (${url})`,
    );
  }
}
