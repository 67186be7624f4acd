import type { Command } from 'commander';
import { isTerminalStatus } from '@backstage-agents/plugin-agents-common';
import type { CommandRunner } from './types';
import { followSession, printEvent } from '../follow';
import { exitCodeOf } from '../outcome';

export function registerLogs(program: Command, run: CommandRunner): void {
  program
    .command('logs')
    .description("Print a session's log")
    .argument('<id>', 'the session id')
    .option(
      '-f, --follow',
      'follow the live log to the end of the session, reconnecting after a drop with no gap and no duplicate; exit with its outcome',
    )
    .option('--after <seq>', 'start after this line number', v => Number(v))
    .action(
      (
        id: string,
        opts: { follow?: boolean; after?: number },
        command: Command,
      ) =>
        run(command, async ({ ctx, conn, out }) => {
          if (opts.follow) {
            const status = await followSession(ctx, conn, out, id, {
              lines: true,
              after: opts.after,
            });
            if (!status) return 0;
            out.progress(`Session ${id} ${status}`);
            return exitCodeOf(status);
          }
          // Without -f: the log so far. A finished session's stream ends by itself; a running
          // session's stays open, so stop once it has been quiet for a moment.
          const session = await conn.client.getSession(id, conn.auth);
          const finished = isTerminalStatus(session.status);
          const controller = new AbortController();
          ctx.signal?.addEventListener('abort', () => controller.abort());
          const idleMs = ctx.idleMs ?? 1000;
          let timer: ReturnType<typeof setTimeout> | undefined;
          const quiet = () => {
            if (finished) return;
            clearTimeout(timer);
            timer = setTimeout(() => controller.abort(), idleMs);
          };
          try {
            await conn.client.streamLogs(id, {
              ...conn.auth,
              after: opts.after ?? 0,
              signal: controller.signal,
              onOpen: quiet,
              onEvent: event => {
                quiet();
                printEvent(out, event);
                if (event.type === 'end') controller.abort();
              },
            });
          } finally {
            clearTimeout(timer);
          }
          if (!finished && !out.json) {
            out.progress(
              `Session ${id} is ${session.status}; follow it with: backstage-agents logs ${id} -f`,
            );
          }
          return 0;
        }),
    );
}
