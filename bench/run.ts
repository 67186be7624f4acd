/**
 * `yarn bench`: runs every benchmark case and prints its figures, each beside its target and the
 * ratio, one table per case. Figures are measured on this machine in this run; compare them as
 * ratios within one run, not across machines.
 *   yarn bench [case ...] [--write-docs]
 * Each case runs in a process of its own: the bench process hosts the backend (the simulator,
 * viewers and load generators run in other processes), so its CPU time and memory are the backend's.
 * --write-docs puts the run's tables and the machine's description into docs/performance.md
 * (between its "bench:start" and "bench:end" markers).
 */
import { describeMachine } from './machine';
import { formatTable, type Row } from './table';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Each case's modules load only in the process that runs it.
const CASES: Record<string, { title: string; run: () => Promise<Row[]> }> = {
  sessions: { title: 'Session store: the list of one entity with a million sessions (PostgreSQL)', run: () => import('./cases/sessionStore').then(m => m.sessionStoreCase()) },
  launch: { title: 'Launch: request to pod created', run: () => import('./cases/launch').then(m => m.launchCase()) },
  status: { title: 'Watch-driven status: pod status to session status (PostgreSQL)', run: () => import('./cases/statusWatch').then(m => m.statusWatchCase()) },
  logs: { title: 'Log fan-out: pods to viewers in other processes', run: () => import('./cases/logFanOut').then(m => m.logFanOutCase()) },
  bundles: { title: 'Session bundles: upload and download over loopback', run: () => import('./cases/bundles').then(m => m.bundlesCase()) },
  collation: { title: 'Search collation of agent sessions (PostgreSQL)', run: () => import('./cases/collation').then(m => m.collationCase()) },
};

const DOCS = path.resolve(__dirname, '../docs/performance.md');

/**
 * Runs one case in a process of its own (this script again, under the same loader), so that its
 * memory and CPU figures start from a fresh process, not from what earlier cases left behind.
 */
function runInOwnProcess(name: string): string {
  const output = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agents-bench-')), 'table.md');
  const result = spawnSync(process.execPath, [...process.execArgv, __filename, name], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_CASE_OUTPUT: output },
  });
  if (result.status !== 0) throw new Error(`The ${name} case failed (exit ${result.status ?? result.signal})`);
  const table = fs.readFileSync(output, 'utf8');
  fs.rmSync(path.dirname(output), { recursive: true, force: true });
  return table;
}

async function main() {
  const args = process.argv.slice(2);
  const writeDocs = args.includes('--write-docs');
  const only = args.filter(a => a !== '--write-docs');
  for (const name of only) {
    if (!CASES[name]) throw new Error(`Unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
  }
  const child = process.env.BENCH_CASE_OUTPUT;
  if (child) {
    // A child of the run below: one case, its table to the file the parent reads.
    const [name] = only;
    fs.writeFileSync(child, formatTable(CASES[name].title, await CASES[name].run()));
    return;
  }
  const tables: string[] = [];
  const failed: string[] = [];
  for (const name of Object.keys(CASES)) {
    if (only.length && !only.includes(name)) continue;
    let table: string;
    try {
      table = runInOwnProcess(name);
    } catch (error) {
      // The other cases still run: a failed case is reported in its place, and the run fails at the end.
      failed.push(name);
      table = `### ${CASES[name].title}\n\nThis case failed: ${(error as Error).message}.`;
    }
    console.log(`\n${table}`);
    tables.push(table);
  }
  if (writeDocs) {
    const machine = await describeMachine();
    const section = [
      '<!-- bench:start -->',
      `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`yarn bench ${args.join(' ')}\`.`,
      '',
      `Machine: ${machine}`,
      '',
      tables.join('\n\n'),
      '<!-- bench:end -->',
    ].join('\n');
    const docs = fs.readFileSync(DOCS, 'utf8');
    const start = docs.indexOf('<!-- bench:start -->');
    const end = docs.indexOf('<!-- bench:end -->');
    if (start < 0 || end < 0) throw new Error(`${DOCS} has no bench:start/bench:end markers`);
    fs.writeFileSync(DOCS, docs.slice(0, start) + section + docs.slice(end + '<!-- bench:end -->'.length));
    console.log(`\nWrote the tables into ${path.relative(process.cwd(), DOCS)}`);
  }
  if (failed.length) throw new Error(`Cases that failed: ${failed.join(', ')}`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
