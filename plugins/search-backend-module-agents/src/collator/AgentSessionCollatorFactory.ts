import {
  AgentsClient,
  agentsSessionReadPermission,
  SESSION_LIMITS,
  type AgentsSessionPage,
} from '@backstage-agents/plugin-agents-common';
import type {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { DocumentCollatorFactory } from '@backstage/plugin-search-common';
import { Readable } from 'node:stream';
import {
  AGENT_SESSION_DOCUMENT_TYPE,
  toAgentSessionDocument,
  type AgentSessionDocument,
} from './AgentSessionDocument';

/** @public */
export interface AgentSessionCollatorFactoryOptions {
  discovery: DiscoveryService;
  auth: AuthService;
  logger?: LoggerService;
  /** Sessions per request to the agents API; at most 100. */
  pageSize?: number;
  /** For tests and benchmarks; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Collates agent sessions for the search index. Sessions are read through the agents HTTP API
 * (`GET /sessions`, newest first, keyset pages) with the search plugin's own service credentials, one
 * page at a time, and streamed out as documents: the next page is only requested once the indexer has
 * taken the current one, so memory stays flat however many sessions there are.
 *
 * @public
 */
export class AgentSessionCollatorFactory implements DocumentCollatorFactory {
  readonly type = AGENT_SESSION_DOCUMENT_TYPE;
  readonly visibilityPermission = agentsSessionReadPermission;

  private readonly client: AgentsClient;
  private readonly auth: AuthService;
  private readonly logger?: LoggerService;
  private readonly pageSize: number;

  constructor(options: AgentSessionCollatorFactoryOptions) {
    this.client = new AgentsClient({
      discoveryApi: options.discovery,
      fetchApi: options.fetch ? { fetch: options.fetch } : undefined,
    });
    this.auth = options.auth;
    this.logger = options.logger;
    this.pageSize = Math.min(
      Math.max(1, options.pageSize ?? SESSION_LIMITS.maxPageSize),
      SESSION_LIMITS.maxPageSize,
    );
  }

  async getCollator(): Promise<Readable> {
    return Readable.from(this.execute());
  }

  /** Every session the search plugin may read, newest first, as search documents. */
  async *execute(): AsyncGenerator<AgentSessionDocument> {
    let cursor: string | undefined;
    let count = 0;
    do {
      const page = await this.readPage(cursor);
      for (const session of page.items) {
        yield toAgentSessionDocument(session);
      }
      count += page.items.length;
      cursor = page.nextCursor;
    } while (cursor);
    this.logger?.info(`Collated ${count} agent sessions`);
  }

  private async readPage(cursor?: string): Promise<AgentsSessionPage> {
    // A token per page: a long collation outlives a single token.
    const { token } = await this.auth.getPluginRequestToken({
      onBehalfOf: await this.auth.getOwnServiceCredentials(),
      targetPluginId: 'agents',
    });
    return this.client.listSessions({ limit: this.pageSize, cursor }, { token });
  }
}
