import type { Command } from 'commander';
import type { AgentsHarnessName } from '@backstage-agents/plugin-agents-common';
import type { CommandRunner } from './types';
import { followSession } from '../follow';
import { formatSession } from '../format';
import { exitCodeOf } from '../outcome';

export function registerLaunch(program: Command, run: CommandRunner): void {
  program
    .command('launch')
    .description('Start an agent session on a catalog entity')
    .argument(
      '<entity>',
      'the entity whose repository the agent works on (kind:namespace/name, or a component name)',
    )
    .argument('<prompt>', 'what the agent should do')
    .option('--harness <name>', "the agent harness (default: the policy's)")
    .option(
      '--template <ref>',
      'the agent template the session is launched from',
    )
    .option('--wait', "stream the session's log and exit with its outcome")
    .action(
      (
        entity: string,
        prompt: string,
        opts: { harness?: string; template?: string; wait?: boolean },
        command: Command,
      ) =>
        run(command, async ({ ctx, conn, out }) => {
          const session = await conn.client.createSession(
            {
              entityRef: entity,
              prompt,
              // The backend checks the name against its harnesses and says which exist.
              ...(opts.harness
                ? { harness: opts.harness as AgentsHarnessName }
                : {}),
              ...(opts.template ? { templateRef: opts.template } : {}),
            },
            conn.auth,
          );
          if (out.json) {
            // With --wait the log follows as NDJSON events; the session comes first.
            out.value(session);
          } else if (opts.wait) {
            out.progress(
              `Launched session ${session.id} (${session.harness} on ${session.entityRef}); following its log. Ctrl-C stops following, not the session.`,
            );
          } else {
            formatSession(out, session).forEach(l => out.line(l));
            out.line();
            out.line(
              out.dim(
                `Follow it: backstage-agents logs ${session.id} -f   Wait for it: backstage-agents wait ${session.id}`,
              ),
            );
          }
          if (!opts.wait) return 0;
          const status = await followSession(ctx, conn, out, session.id, {
            lines: true,
          });
          if (status && !out.json) {
            out.progress(`Session ${session.id} ${status}`);
          }
          return status ? exitCodeOf(status) : exitCodeOf(session.status);
        }),
    );
}
