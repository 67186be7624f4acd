import {
  AgentsDatabase,
  decodeCursor,
  encodeCursor,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import type { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import express from 'express';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentSessionCollatorFactory } from '../../plugins/search-backend-module-agents/src';
import { postgres, type BenchDatabase } from '../databases';
import type { Row } from '../table';

const SESSIONS = Number(process.env.BENCH_COLLATION_SESSIONS ?? 100_000);
const STEPS = [1_000, 10_000, 100_000, 1_000_000].filter(n => n < SESSIONS).concat(SESSIONS);
const INSERT_BATCH = 1_000;

/**
 * Search collation of agent sessions on PostgreSQL: the search module's collator reads every session
 * through `GET /sessions` (100 a page, keyset cursors) from a minimal HTTP server over the store, and
 * the documents are consumed as the indexer would. Time and peak RSS at 1,000, 10,000 and 100,000
 * sessions (BENCH_COLLATION_SESSIONS): the collator holds one page at a time, so memory stays flat.
 */
export async function collationCase(): Promise<Row[]> {
  const db = await postgres();
  if (!db) return [];
  const agents = await AgentsDatabase.create({ database: { getClient: async () => db.knex } });
  const server = await serve(agents);
  try {
    const rows: Row[] = [];
    let inserted = 0;
    for (const target of STEPS) {
      await insertSessions(db, inserted, target);
      inserted = target;
      rows.push(await measure(server, target));
    }
    return rows;
  } finally {
    await new Promise(resolve => server.close(resolve));
    await db.dispose();
  }
}

/** Sessions written in batches with the store's columns (a session needs no run to be listed). */
async function insertSessions(db: BenchDatabase, from: number, to: number) {
  for (let start = from; start < to; start += INSERT_BATCH) {
    const rows = [];
    for (let i = start; i < Math.min(start + INSERT_BATCH, to); i++) {
      const id = randomUUID();
      const at = new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString();
      rows.push({
        id,
        entity_ref: `component:default/service-${i % 97}`,
        entity_owner_ref: 'group:default/team-a',
        repo_url: 'https://github.com/example-org/busy',
        work_branch: `agents/${id.split('-')[0]}`,
        harness: 'opencode',
        prompt: `Task ${i}: refactor the payment module and add tests\n\n${'Context. '.repeat(40)}`,
        policy_name: 'default',
        policy_snapshot: JSON.stringify({ timeoutSeconds: 3600 }),
        origin: 'api',
        created_by: `user:default/user-${i % 13}`,
        status: 'succeeded',
        summary: 'Refactored the payment module; added 12 tests.',
        pr_url: `https://github.com/example-org/busy/pull/${i + 1}`,
        pr_state: 'open',
        created_at: at,
        updated_at: at,
        finished_at: at,
      });
    }
    await db.knex('agents_sessions').insert(rows);
  }
}

/** `GET /api/agents/sessions` as the agents backend answers it, without permissions. */
async function serve(agents: AgentsDatabase): Promise<Server> {
  const app = express();
  app.get('/api/agents/sessions', async (req, res, next) => {
    try {
      const cursor = req.query.cursor as string | undefined;
      const page = await agents.sessions.listSessions({
        filter: {},
        limit: Math.min(Number(req.query.limit ?? 20), 100),
        beforeSeq: cursor ? decodeCursor(cursor) : undefined,
      });
      res.json({
        items: page.items,
        nextCursor: page.nextSeq ? encodeCursor(page.nextSeq) : undefined,
      });
    } catch (error) {
      next(error);
    }
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  return server;
}

async function measure(server: Server, sessions: number): Promise<Row> {
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const discovery: DiscoveryService = {
    getBaseUrl: async pluginId => `${baseUrl}/${pluginId}`,
    getExternalBaseUrl: async pluginId => `${baseUrl}/${pluginId}`,
  };
  const auth = {
    getOwnServiceCredentials: async () => ({ $$type: '@backstage/BackstageCredentials', principal: { type: 'service', subject: 'plugin:search' } }),
    getPluginRequestToken: async () => ({ token: 'bench' }),
  } as unknown as AuthService;
  const factory = new AgentSessionCollatorFactory({ discovery, auth });

  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = process.hrtime.bigint();
  let documents = 0;
  let textBytes = 0;
  for await (const document of await factory.getCollator()) {
    documents++;
    textBytes += (document as { text: string }).text.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (documents !== sessions) throw new Error(`Collated ${documents} of ${sessions} sessions`);
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return {
    database: 'PostgreSQL',
    sessions,
    seconds: seconds.toFixed(2),
    'documents/s': Math.round(documents / seconds),
    'document text MB': mb(textBytes),
    'RSS before MB': mb(baseline),
    'peak RSS MB': mb(peak),
    'peak − before MB': mb(peak - baseline),
  };
}
