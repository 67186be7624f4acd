import {
  AgentsDatabase,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { postgres, sqlite, type BenchDatabase } from '../databases';
import { fmt, summarize, timed } from '../stats';
import type { Row } from '../table';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 2000);
const PAGES = 100;
const PAGE_SIZE = 20;

/**
 * Creating sessions (each with its first run, one transaction) and listing an entity's sessions
 * newest first, page by page with keyset cursors.
 */
export async function sessionStoreCase(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const open of [sqlite, postgres]) {
    const db = await open();
    if (!db) continue;
    try {
      rows.push(...(await measure(db)));
    } finally {
      await db.dispose();
    }
  }
  return rows;
}

async function measure(db: BenchDatabase): Promise<Row[]> {
  const agents = await AgentsDatabase.create({
    database: { getClient: async () => db.knex },
  });
  const creates: number[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const [ms] = await timed(() =>
      agents.sessions.createSession({
        // Most sessions belong to one busy entity; the rest spread over others.
        entityRef: i % 4 === 0 ? `component:default/service-${i % 97}` : 'component:default/busy',
        entityOwnerRef: 'group:default/team-a',
        repoUrl: 'https://github.com/example-org/busy',
        workBranchPrefix: 'agents/',
        harness: 'opencode',
        prompt: `Task ${i}: refactor the payment module and add tests`,
        policy: { name: 'default', snapshot: { timeoutSeconds: 3600 } },
        origin: { kind: 'api' },
        createdBy: `user:default/user-${i % 13}`,
      }),
    );
    creates.push(ms);
  }

  const lists: number[] = [];
  let beforeSeq: number | undefined;
  for (let page = 0; page < PAGES; page++) {
    const [ms, result] = await timed(() =>
      agents.sessions.listSessions({
        filter: { entityRef: 'component:default/busy' },
        limit: PAGE_SIZE,
        beforeSeq,
      }),
    );
    lists.push(ms);
    beforeSeq = result.nextSeq;
    if (!beforeSeq) break;
  }

  const c = summarize(creates);
  const l = summarize(lists);
  return [
    {
      database: db.name,
      operation: `create (${SESSIONS} sequential)`,
      'p50 ms': fmt(c.p50),
      'p99 ms': fmt(c.p99),
      'rows/s': Math.round((SESSIONS / c.total) * 1000),
    },
    {
      database: db.name,
      operation: `list entity, ${PAGE_SIZE}/page (${lists.length} pages)`,
      'p50 ms': fmt(l.p50),
      'p99 ms': fmt(l.p99),
      'rows/s': Math.round(((lists.length * PAGE_SIZE) / l.total) * 1000),
    },
  ];
}
