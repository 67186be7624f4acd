import type { Command } from 'commander';
import type { CommandRunner } from './types';
import { followSession } from '../follow';
import { formatStatus } from '../format';
import { EXIT, exitCodeOf } from '../outcome';

export function registerWait(program: Command, run: CommandRunner): void {
  program
    .command('wait')
    .description(
      'Wait for a session to finish; exit 0 if it succeeded, 1 if it failed or timed out, 2 if it was cancelled',
    )
    .argument('<id>', 'the session id')
    .action((id: string, _opts, command: Command) =>
      run(command, async ({ ctx, conn, out }) => {
        const status = await followSession(ctx, conn, out, id, {
          lines: false,
        });
        if (!status) return EXIT.ERROR;
        const session = await conn.client.getSession(id, conn.auth);
        if (out.json) out.value(session);
        else {
          out.line(
            `Session ${id} ${formatStatus(out, status)}${
              session.prUrl ? `: ${session.prUrl}` : ''
            }`,
          );
        }
        return exitCodeOf(status);
      }),
    );
}
