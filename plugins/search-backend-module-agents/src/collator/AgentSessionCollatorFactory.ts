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
  /** Sessions per request to the agents API; at most 1,000, the largest page the API serves (the default). */
  pageSize?: number;
  /** For tests and benchmarks; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/**
 * Collates agent sessions for the search index. Sessions are read through the agents HTTP API
 * (`GET /sessions`, newest first, keyset pages) with the search plugin's own service credentials, and
 * streamed out as documents with one page read ahead: memory stays flat however many sessions there
 * are, and the backend's work on the next page overlaps the indexer's on this one.
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

  /**
   * Every session the search plugin may read, newest first, as search documents. The next page is
   * requested when a page arrives, so the agents backend reads it while the indexer takes this one:
   * at most two pages are held at a time.
   */
  async *execute(): AsyncGenerator<AgentSessionDocument> {
    let next: Promise<AgentsSessionPage> | undefined = this.readPage();
    let count = 0;
    while (next) {
      const page: AgentsSessionPage = await next;
      next = page.nextCursor ? this.readPage(page.nextCursor) : undefined;
      // A failure is thrown where the page is awaited; a consumer that stops early never awaits it,
      // and it must not count as an unhandled rejection then.
      next?.catch(() => undefined);
      for (const session of page.items) {
        yield toAgentSessionDocument(session);
      }
      count += page.items.length;
    }
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
