import {
  AgentsDatabase,
  encodeCursor,
} from '@backstage-agents/plugin-agents-backend/testUtils';
import { cpuMeter } from '../cpu';
import { postgres, sqlite, type BenchDatabase } from '../databases';
import {
  BUSY_ENTITY,
  seedSessions,
  startSessionListBackend,
  type ReadDecision,
} from '../processes/sessionListBackend';
import { summarize, timed } from '../stats';
import type { Row } from '../table';
import { fact, figure } from '../target';

const CREATES = Number(process.env.BENCH_SESSIONS ?? 2000);
/** Sessions of the one busy entity the listing is measured on (PostgreSQL). */
const LISTED = Number(process.env.BENCH_LIST_SESSIONS ?? 1_000_000);
/** Requests per measured listing. */
const REPEATS = Number(process.env.BENCH_LIST_REPEATS ?? 200);
const PAGE_SIZE = 20;
const WALKED_PAGES = 100;
const DEEP_PAGE = 10_000;
const LIST_P99_MS = 20;

/**
 * Creating sessions (each with its first run, one transaction) on SQLite and PostgreSQL; then, on
 * PostgreSQL with BENCH_LIST_SESSIONS sessions on one entity (seeded in SQL), its session list through
 * the real `GET /sessions` route (OpenAPI router, session service, permission filter) in this process,
 * asked by a kept-alive HTTP client: the first page, every page to page 100 by the cursors the API
 * returns, page 10,000, and the filters the UI offers, under an ALLOW decision and under a conditional
 * one (owner or creator) that the route turns into SQL.
 */
export async function sessionStoreCase(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const open of [sqlite, postgres]) {
    const db = await open();
    if (!db) continue;
    try {
      rows.push(await measureCreates(db));
    } finally {
      await db.dispose();
    }
  }
  const db = await postgres();
  if (db) {
    try {
      rows.push(...(await measureLists(db)));
    } finally {
      await db.dispose();
    }
  }
  return rows;
}

async function measureCreates(db: BenchDatabase): Promise<Row> {
  const agents = await AgentsDatabase.create({
    database: { getClient: async () => db.knex },
  });
  const creates: number[] = [];
  const cpu = cpuMeter();
  cpu.start();
  for (let i = 0; i < CREATES; i++) {
    const [ms] = await timed(() =>
      agents.sessions.createSession({
        entityRef: i % 4 === 0 ? `component:default/service-${i % 97}` : BUSY_ENTITY,
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
  const cpuMs = cpu.stop();
  const c = summarize(creates);
  return figure(
    `${db.name}: create session with its run, p99 (${CREATES} sequential, p50 ${c.p50.toFixed(2)} ms)`,
    c.p99,
    'ms',
    undefined,
    cpuMs / CREATES,
  );
}

async function measureLists(db: BenchDatabase): Promise<Row[]> {
  const agents = await AgentsDatabase.create({
    database: { getClient: async () => db.knex },
  });
  const total = Math.ceil((LISTED * 5) / 4);
  const [seedMs] = await timed(() => seedSessions(db.knex, total));
  const rows: Row[] = [
    fact(
      'PostgreSQL: seeded (INSERT … SELECT generate_series, with runs, ANALYZE)',
      `${total.toLocaleString('en')} sessions, ${LISTED.toLocaleString('en')} on ${BUSY_ENTITY}, in ${(seedMs / 1000).toFixed(1)} s`,
    ),
  ];
  let decision: ReadDecision = 'allow';
  const backend = await startSessionListBackend(agents, () => decision);
  try {
    const entity = `entityRef=${encodeURIComponent(BUSY_ENTITY)}&limit=${PAGE_SIZE}`;
    // The cursor of a deep page, as the API would have returned it after walking there: the seq of
    // the last session of the page before.
    const cursorAt = async (query: (q: any) => any, page: number) => {
      const row = await query(db.knex('agents_sessions'))
        .orderBy('seq', 'desc')
        .offset(PAGE_SIZE * (page - 1) - 1)
        .first('seq');
      return row ? `&cursor=${encodeCursor(Number(row.seq))}` : undefined;
    };
    const busy = (q: any) => q.where('entity_ref', BUSY_ENTITY);
    const deepCursor = await cursorAt(busy, DEEP_PAGE);

    /** The same request REPEATS times after a warm-up: its p99, with the backend's CPU per request. */
    const repeated = async (label: string, pathAndQuery: string | undefined) => {
      if (pathAndQuery === undefined) return fact(label, 'not enough sessions for this page');
      for (let i = 0; i < 5; i++) await backend.get(pathAndQuery);
      const durations: number[] = [];
      const cpu = cpuMeter();
      cpu.start();
      let items = 0;
      for (let i = 0; i < REPEATS; i++) {
        const [ms, page] = await timed(() => backend.get(pathAndQuery));
        durations.push(ms);
        items = page.items.length;
      }
      const cpuMs = cpu.stop();
      const s = summarize(durations);
      return figure(
        `${label}, p99 (p50 ${s.p50.toFixed(2)} ms; ${items} items)`,
        s.p99,
        'ms',
        { max: LIST_P99_MS },
        cpuMs / REPEATS,
      );
    };

    /** Pages 1 to WALKED_PAGES, each by the cursor the page before returned: p99 over the pages. */
    const walked = async (label: string, query: string) => {
      const durations: number[] = [];
      const cpu = cpuMeter();
      cpu.start();
      let cursor: string | undefined;
      for (let page = 0; page < WALKED_PAGES; page++) {
        const [ms, result] = await timed(() =>
          backend.get(`/sessions?${query}${cursor ? `&cursor=${cursor}` : ''}`),
        );
        durations.push(ms);
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      const cpuMs = cpu.stop();
      const s = summarize(durations);
      return figure(
        `${label}, pages 1–${durations.length} by cursor, p99 (p50 ${s.p50.toFixed(2)} ms)`,
        s.p99,
        'ms',
        { max: LIST_P99_MS },
        cpuMs / durations.length,
      );
    };

    for (const mode of ['allow', 'owner-or-creator'] as const) {
      decision = mode;
      const who = mode === 'allow' ? 'ALLOW' : 'conditional (owner or creator)';
      rows.push(await repeated(`entity list, ${who}, page 1`, `/sessions?${entity}`));
      rows.push(await walked(`entity list, ${who}`, entity));
      rows.push(
        await repeated(
          `entity list, ${who}, page ${DEEP_PAGE.toLocaleString('en')}`,
          deepCursor && `/sessions?${entity}${deepCursor}`,
        ),
      );
    }
    decision = 'allow';
    const failed = (q: any) => busy(q).where('status', 'failed');
    rows.push(await repeated('entity list, status=failed, page 1', `/sessions?${entity}&status=failed`));
    const failedDeep = await cursorAt(failed, 1_000);
    rows.push(
      await repeated(
        'entity list, status=failed, page 1,000',
        failedDeep && `/sessions?${entity}&status=failed${failedDeep}`,
      ),
    );
    rows.push(await repeated('entity list, status=timed_out, page 1', `/sessions?${entity}&status=timed_out`));
    // "Active" in the UI: the unfinished statuses, which only the newest sessions have; the second
    // page holds the last few and ends the listing.
    const active = `${entity}&status=${encodeURIComponent('pending,starting,running')}`;
    rows.push(await walked('entity list, active (pending,starting,running)', active));
    rows.push(await repeated('entity list, createdBy=me (none of them)', `/sessions?${entity}&createdBy=me`));
    rows.push(
      await repeated(
        'entity list, createdBy=user-3',
        `/sessions?${entity}&createdBy=${encodeURIComponent('user:default/user-3')}`,
      ),
    );
    decision = 'owner-or-creator';
    rows.push(
      await repeated(
        'all sessions (no entity), conditional, page 1',
        `/sessions?limit=${PAGE_SIZE}`,
      ),
    );
    decision = 'allow';
  } finally {
    await backend.stop();
  }
  return rows;
}
