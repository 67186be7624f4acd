import type { Command } from 'commander';
import { isTerminalStatus } from '@backstage-agents/plugin-agents-common';
import type { CommandRunner } from './types';
import { CliError } from '../errors';
import { countTasks, fanOutExitCode, readFanOut } from '../fanout/fanOutTasks';
import { followFanOut } from '../fanout/followFanOut';
import { printFanOutSummary } from '../fanout/printFanOut';
import { followSession, printEvent } from '../follow';
import { exitCodeOf } from '../outcome';
import type { CommandEnv } from './types';

/** `logs --fan-out <id>`: the tasks' summary, or with -f every task's log until all have finished. */
async function fanOutLogs(
  env: CommandEnv,
  id: string,
  follow: boolean,
): Promise<number> {
  if (!follow) {
    const { fanOut, tasks } = await readFanOut(env.conn, id);
    printFanOutSummary(env.out, fanOut, tasks);
    return 0;
  }
  const result = await followFanOut(env, id);
  if (result.detached) {
    env.out.progress(
      `Stopped following; the fan-out goes on. Re-attach with: backstage-agents logs --fan-out ${id} -f`,
    );
    return 0;
  }
  printFanOutSummary(env.out, result.fanOut, result.tasks);
  return fanOutExitCode(countTasks(result.fanOut, result.tasks));
}

export function registerLogs(program: Command, run: CommandRunner): void {
  program
    .command('logs')
    .description(
      "Print a session's log, or with --fan-out the logs of a fan-out's tasks",
    )
    .argument('[id]', 'the session id')
    .option(
      '--fan-out <id>',
      "a fan-out's tasks: with -f, every task's log prefixed with its task id, the waves' progress and a summary, until all have finished (exit 0 all succeeded, 1 one failed, 2 cancelled); without -f, the summary",
    )
    .option(
      '-f, --follow',
      'follow the live log to the end of the session, reconnecting after a drop with no gap and no duplicate; exit with its outcome',
    )
    .option('--after <seq>', 'start after this line number', v => Number(v))
    .action(
      (
        id: string | undefined,
        opts: { follow?: boolean; after?: number; fanOut?: string },
        command: Command,
      ) =>
        run(command, async env => {
          const { ctx, conn, out } = env;
          if (opts.fanOut) {
            if (id)
              throw new CliError(
                'Give a session id or --fan-out <id>, not both',
              );
            return fanOutLogs(env, opts.fanOut, Boolean(opts.follow));
          }
          if (!id) {
            throw new CliError(
              "Give the session id (backstage-agents logs <id>), or --fan-out <id> for a fan-out's tasks",
            );
          }
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
