import { InvalidArgumentError, type Command } from 'commander';
import type { AgentsListSessionsQuery } from '@backstage-agents/plugin-agents-common';
import type { CommandRunner } from './types';
import { formatSessionTable } from '../format';

const STATUSES = [
  'pending',
  'starting',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

function parseStatus(value: string): string {
  const statuses = value.split(',').map(s => s.trim());
  const unknown = statuses.filter(s => !STATUSES.includes(s));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown status ${unknown.join(', ')}; one or more of ${STATUSES.join(
        ', ',
      )}, comma-separated`,
    );
  }
  return statuses.join(',');
}

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) {
    throw new InvalidArgumentError('a whole number from 1');
  }
  return limit;
}

export function registerList(program: Command, run: CommandRunner): void {
  program
    .command('list')
    .description('List the sessions you can see, newest first')
    .option(
      '--entity <ref>',
      'only sessions on this entity (kind:namespace/name)',
    )
    .option(
      '--status <statuses>',
      'only these statuses, comma-separated',
      parseStatus,
    )
    .option('--mine', 'only the sessions you started')
    .option('--parent <id>', 'only the tasks of this fan-out session')
    .option('--limit <n>', 'at most this many sessions', parseLimit)
    .action(
      (
        opts: {
          entity?: string;
          status?: string;
          mine?: boolean;
          parent?: string;
          limit?: number;
        },
        command: Command,
      ) =>
        run(command, async ({ conn, out }) => {
          const query: AgentsListSessionsQuery = {
            entityRef: opts.entity,
            status: opts.status,
            createdBy: opts.mine ? 'me' : undefined,
            parentSessionId: opts.parent,
            limit: opts.limit,
          };
          const page = await conn.client.listSessions(query, conn.auth);
          if (out.json) {
            out.value(page);
            return 0;
          }
          formatSessionTable(out, page.items).forEach(l => out.line(l));
          if (page.nextCursor) {
            out.progress(`More sessions exist: raise --limit to see them.`);
          }
          return 0;
        }),
    );
}
