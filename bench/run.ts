/**
 * `yarn bench`: runs every benchmark case and prints its figures, each beside its target and the
 * ratio, one table per case. Figures are measured on this machine in this run; compare them as
 * ratios within one run, not across machines.
 *   yarn bench [case ...] [--write-docs]
 * --write-docs puts the run's tables and the machine's description into docs/performance.md
 * (between its "bench:start" and "bench:end" markers).
 */
import { bundlesCase } from './cases/bundles';
import { collationCase } from './cases/collation';
import { launchCase } from './cases/launch';
import { logFanOutCase } from './cases/logFanOut';
import { sessionStoreCase } from './cases/sessionStore';
import { describeMachine } from './machine';
import { formatTable, type Row } from './table';
import fs from 'node:fs';
import path from 'node:path';

const CASES: Record<string, { title: string; run: () => Promise<Row[]> }> = {
  sessions: { title: 'Session store: create and list', run: sessionStoreCase },
  launch: { title: 'Launch: request to pod created', run: launchCase },
  logs: { title: 'Log fan-out: pods to viewers in other processes', run: logFanOutCase },
  bundles: { title: 'Session bundles: upload and download over loopback', run: bundlesCase },
  collation: { title: 'Search collation of agent sessions (PostgreSQL)', run: collationCase },
};

const DOCS = path.resolve(__dirname, '../docs/performance.md');

async function main() {
  const args = process.argv.slice(2);
  const writeDocs = args.includes('--write-docs');
  const only = args.filter(a => a !== '--write-docs');
  for (const name of only) {
    if (!CASES[name]) throw new Error(`Unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
  }
  const tables: string[] = [];
  for (const [name, benchCase] of Object.entries(CASES)) {
    if (only.length && !only.includes(name)) continue;
    const table = formatTable(benchCase.title, await benchCase.run());
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
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
