import { AgentsDatabase } from '@backstage-agents/plugin-agents-backend/testUtils';
import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import { AgentSessionCollatorFactory } from '../../plugins/search-backend-module-agents/src';
import { cpuMeter } from '../cpu';
import { postgres } from '../databases';
import { seedSessions, startSessionListBackend } from '../processes/sessionListBackend';
import type { Row } from '../table';
import { fact, figure } from '../target';

const SESSIONS = Number(process.env.BENCH_COLLATION_SESSIONS ?? 1_000_000);
const STEPS = [100_000].filter(n => n < SESSIONS).concat(SESSIONS);
/** The target rate: a million sessions in 20 seconds. */
const DOCUMENTS_PER_SECOND = 50_000;
const RSS_GROWTH_MB = 100;

/**
 * Search collation of agent sessions on PostgreSQL: the search module's collator reads every session
 * through the real `GET /sessions` route (OpenAPI router, session service, ALLOW decision) served in
 * this process, 1,000 a page (the largest the API serves) by keyset cursors, and the documents are consumed as the indexer would.
 * Time and growth of this process's peak RSS at 100,000 and BENCH_COLLATION_SESSIONS sessions (seeded
 * in SQL): the collator holds at most two pages, so memory stays flat however many sessions there are.
 */
export async function collationCase(): Promise<Row[]> {
  const db = await postgres();
  if (!db) return [];
  const agents = await AgentsDatabase.create({ database: { getClient: async () => db.knex } });
  const backend = await startSessionListBackend(agents);
  try {
    const rows: Row[] = [];
    let seeded = 0;
    for (const target of STEPS) {
      const started = Date.now();
      await seedSessions(db.knex, target, seeded);
      seeded = target;
      rows.push(
        fact(`seeded to ${target.toLocaleString('en')} sessions`, `in ${((Date.now() - started) / 1000).toFixed(1)} s`),
        ...(await measure(backend.baseUrl, target)),
      );
    }
    return rows;
  } finally {
    await backend.stop();
    await db.dispose();
  }
}

async function measure(baseUrl: string, sessions: number): Promise<Row[]> {
  const discovery: DiscoveryService = {
    getBaseUrl: async pluginId => `${baseUrl}/${pluginId}`,
    getExternalBaseUrl: async pluginId => `${baseUrl}/${pluginId}`,
  };
  // The search plugin's own service credentials, as mock tokens the router's mock httpAuth accepts.
  const auth = mockServices.auth({ pluginId: 'search' });
  const factory = new AgentSessionCollatorFactory({ discovery, auth });

  (globalThis as { gc?: () => void }).gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const cpu = cpuMeter();
  cpu.start();
  const started = process.hrtime.bigint();
  let documents = 0;
  let textBytes = 0;
  for await (const document of await factory.getCollator()) {
    documents++;
    textBytes += (document as { text: string }).text.length;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuMs = cpu.stop();
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (documents !== sessions) throw new Error(`Collated ${documents} of ${sessions} sessions`);
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const n = sessions.toLocaleString('en');
  return [
    figure(
      `collation of ${n} sessions (${Math.round(documents / seconds).toLocaleString('en')} documents/s, ${mb(textBytes).toFixed(0)} MB of text)`,
      seconds,
      's',
      { max: sessions / DOCUMENTS_PER_SECOND },
      cpuMs / documents,
    ),
    figure(
      `collation of ${n} sessions: peak RSS growth (from ${mb(baseline).toFixed(0)} MB)`,
      mb(peak - baseline),
      'MB',
      { max: RSS_GROWTH_MB },
    ),
  ];
}
