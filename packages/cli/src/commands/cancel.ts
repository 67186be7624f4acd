import type { Command } from 'commander';
import type { CommandRunner } from './types';
import { formatStatus } from '../format';

export function registerCancel(program: Command, run: CommandRunner): void {
  program
    .command('cancel')
    .description('Cancel a session that has not finished')
    .argument('<id>', 'the session id')
    .action((id: string, _opts, command: Command) =>
      run(command, async ({ conn, out }) => {
        const session = await conn.client.cancelSession(id, conn.auth);
        if (out.json) out.value(session);
        else out.line(`Session ${id} ${formatStatus(out, session.status)}`);
        return 0;
      }),
    );
}
