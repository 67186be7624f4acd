import { readEntityRepository } from '@backstage-agents/plugin-agents-common';
import {
  DEFAULT_LAUNCH_OPTIONS,
  type FakeAgentsApi,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { run } from './main';

/** A stream that keeps what is written, as a terminal or not. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

type RunOptions = {
  env?: Record<string, string | undefined>;
  tty?: boolean;
  fetch?: typeof fetch;
  signal?: AbortSignal;
};

/**
 * Starts the CLI in-process against the fake, through its fetch (no socket), and gives its output
 * while it runs: for a test that plays the backend's side meanwhile.
 */
export function startAgainst(
  fake: FakeAgentsApi,
  argv: string[],
  options: RunOptions = {},
) {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const done = fake.discoveryApi.getBaseUrl('agents').then(base =>
    run(argv, {
      stdout,
      stderr,
      env: {
        BACKSTAGE_URL: base.replace(/\/api\/agents$/, ''),
        BACKSTAGE_TOKEN: 'token-1',
        ...options.env,
      },
      fetch: options.fetch ?? fake.fetch,
      retryDelayMs: 1,
      idleMs: 50,
      pollMs: 2,
      signal: options.signal ?? new AbortController().signal,
    }),
  );
  return { stdout, stderr, done };
}

/** Runs the CLI in-process against the fake, through its fetch: no socket. */
export async function runAgainst(
  fake: FakeAgentsApi,
  argv: string[],
  options: RunOptions = {},
) {
  const { stdout, stderr, done } = startAgainst(fake, argv, options);
  const code = await done;
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/**
 * Puts `entities` in the catalog of the fake: the agents API's launch options name each one's
 * repository (and answer 404 for any other entity), and a fetch answers the catalog's
 * `entities/by-query` with all of them, in pages of two (the CLI filters them itself), passing the
 * rest to the fake of the agents API. `requests` records the catalog's requests.
 */
export function withCatalog(
  fake: FakeAgentsApi,
  entities: Array<{
    kind: string;
    metadata: {
      name: string;
      namespace?: string;
      annotations?: Record<string, string>;
    };
  }>,
) {
  for (const entity of entities) {
    const repository = readEntityRepository({ apiVersion: 'backstage.io/v1alpha1', ...entity });
    const ref = `${entity.kind.toLowerCase()}:${entity.metadata.namespace ?? 'default'}/${entity.metadata.name}`;
    fake.entityLaunchOptions.set(ref, {
      ...DEFAULT_LAUNCH_OPTIONS,
      ...(repository
        ? { repository: { url: repository.repoUrl, cloneUrl: repository.repoUrl } }
        : {
            canCreate: false,
            reason: `Entity ${ref} has no Git source: add the backstage.io/source-location annotation`,
          }),
    });
  }
  const requests: Array<{ url: string; authorization?: string }> = [];
  const fetchFn: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (!url.pathname.startsWith('/api/catalog/'))
      return fake.fetch(input, init);
    requests.push({
      url: request.url,
      authorization: request.headers.get('authorization') ?? undefined,
    });
    if (url.pathname === '/api/catalog/entities/by-query') {
      const from = Number(url.searchParams.get('cursor') ?? 0);
      return Response.json({
        items: entities.slice(from, from + 2),
        pageInfo:
          from + 2 < entities.length ? { nextCursor: String(from + 2) } : {},
      });
    }
    return Response.json(
      { error: { name: 'NotFoundError', message: 'not found' } },
      { status: 404 },
    );
  };
  return { fetch: fetchFn, requests };
}
