/**
 * `yarn bench`: runs every benchmark case and prints its figures as a table. Figures are measured on
 * this machine in this run; compare them as ratios within one run, not across machines.
 * Run one case with `yarn bench <name>`.
 */
import { bundlesCase } from './cases/bundles';
import { collationCase } from './cases/collation';
import { launchCase } from './cases/launch';
import { logFanOutCase } from './cases/logFanOut';
import { sessionStoreCase } from './cases/sessionStore';
import { printTable, type Row } from './table';

const CASES: Record<string, { title: string; run: () => Promise<Row[]> }> = {
  sessions: { title: 'Session store: create and list', run: sessionStoreCase },
  launch: { title: 'Launch overhead: request to pod created', run: launchCase },
  logs: { title: 'Log fan-out: one pod, many viewers', run: logFanOutCase },
  bundles: { title: 'Session bundles: upload and download over loopback', run: bundlesCase },
  collation: { title: 'Search collation of agent sessions (PostgreSQL)', run: collationCase },
};

async function main() {
  const only = process.argv.slice(2);
  for (const name of only) {
    if (!CASES[name]) throw new Error(`Unknown case ${name}; cases: ${Object.keys(CASES).join(', ')}`);
  }
  for (const [name, benchCase] of Object.entries(CASES)) {
    if (only.length && !only.includes(name)) continue;
    printTable(benchCase.title, await benchCase.run());
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
