import type { Command } from 'commander';
import type { CommandRunner } from './types';
import { formatSession } from '../format';

export function registerGet(program: Command, run: CommandRunner): void {
  program
    .command('get')
    .description('Show a session with its runs')
    .argument('<id>', 'the session id')
    .action((id: string, _opts, command: Command) =>
      run(command, async ({ conn, out }) => {
        const session = await conn.client.getSession(id, conn.auth);
        if (out.json) out.value(session);
        else formatSession(out, session).forEach(l => out.line(l));
        return 0;
      }),
    );
}
