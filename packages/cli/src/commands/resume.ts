import type { Command } from 'commander';
import type { CommandRunner } from './types';
import { followSession } from '../follow';
import { formatStatus } from '../format';
import { exitCodeOf } from '../outcome';

export function registerResume(program: Command, run: CommandRunner): void {
  program
    .command('resume')
    .description('Resume a finished session with a follow-up prompt')
    .argument('<id>', 'the session id')
    .argument('<prompt>', 'the follow-up prompt')
    .option('--wait', "stream the new run's log and exit with its outcome")
    .action(
      (
        id: string,
        prompt: string,
        opts: { wait?: boolean },
        command: Command,
      ) =>
        run(command, async ({ ctx, conn, out }) => {
          const session = await conn.client.resumeSession(
            id,
            prompt,
            conn.auth,
          );
          const latest = session.runs[session.runs.length - 1];
          if (out.json) out.value(session);
          else {
            out.line(
              `Session ${id} resumed: run #${
                latest?.attempt ?? '?'
              } ${formatStatus(out, session.status)}`,
            );
          }
          if (!opts.wait) return 0;
          // The whole log of the session, earlier runs first, to the end of the new run.
          const status = await followSession(ctx, conn, out, id, {
            lines: true,
          });
          return status ? exitCodeOf(status) : exitCodeOf(session.status);
        }),
    );
}
