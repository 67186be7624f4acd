import { AgentsClient } from '@backstage-agents/plugin-agents-common';
import { CliError } from './errors';
import { DEFAULT_BACKEND, type CliContext } from './context';

/** The global options every command takes. */
export type GlobalOptions = {
  backend?: string;
  token?: string;
  json?: boolean;
};

/** The shared agents API client, pointed at the backend, with the token to pass on each call. */
export type Connection = {
  client: AgentsClient;
  backend: string;
  /** Pass as the options of every call: `{ token }`. */
  auth: { token?: string };
};

/** Builds the client from `--backend`/`BACKSTAGE_URL` and `--token`/`BACKSTAGE_TOKEN`. */
export function connect(ctx: CliContext, options: GlobalOptions): Connection {
  const raw = options.backend ?? ctx.env.BACKSTAGE_URL ?? DEFAULT_BACKEND;
  let backend: string;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error();
    backend = url.toString().replace(/\/+$/, '');
  } catch {
    throw new CliError(
      `'${raw}' is not a backend URL: set --backend or BACKSTAGE_URL to e.g. ${DEFAULT_BACKEND}`,
    );
  }
  const token = options.token ?? ctx.env.BACKSTAGE_TOKEN ?? undefined;
  const client = new AgentsClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `${backend}/api/${pluginId}`,
    },
    fetchApi: { fetch: ctx.fetch },
  });
  return { client, backend, auth: { token: token || undefined } };
}
