import { Command, CommanderError } from 'commander';
import { connect, type GlobalOptions } from './client';
import { DEFAULT_BACKEND, type CliContext } from './context';
import { CliError, describeError } from './errors';
import { EXIT } from './outcome';
import { Output } from './output';
import type { CommandRunner } from './commands/types';
import { registerCancel } from './commands/cancel';
import { registerGet } from './commands/get';
import { registerImplement } from './commands/implement';
import { registerLaunch } from './commands/launch';
import { registerList } from './commands/list';
import { registerLogs } from './commands/logs';
import { registerResume } from './commands/resume';
import { registerWait } from './commands/wait';

const EXIT_CODES_HELP = `
Exit codes:
  0  done; with wait, launch --wait and logs -f: the session succeeded;
     with implement and logs --fan-out -f: every task succeeded
  1  the session (a task) failed or timed out
  2  the session (a task) was cancelled
  3  the command could not do what was asked (bad usage, refused, backend unreachable)

Environment:
  BACKSTAGE_URL    the backend (default ${DEFAULT_BACKEND}), like --backend
  BACKSTAGE_TOKEN  a Backstage token, like --token
  NO_COLOR         no colour, even on a terminal`;

/** The commander program, its output and exits going through the context. */
export function buildProgram(
  ctx: CliContext,
  setExitCode: (code: number) => void,
): Command {
  const program = new Command('backstage-agents')
    .description(
      'Launch, follow and manage Agents for Backstage sessions from the terminal',
    )
    .option(
      '--backend <url>',
      `the Backstage backend (env BACKSTAGE_URL, default ${DEFAULT_BACKEND})`,
    )
    .option('--token <token>', 'a Backstage token (env BACKSTAGE_TOKEN)')
    .option(
      '--json',
      'print JSON for scripts (a stream of events: one per line)',
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: text => ctx.stdout.write(text),
      writeErr: text => ctx.stderr.write(text),
    });

  const runCommand: CommandRunner = async (command, body) => {
    const options = command.optsWithGlobals() as GlobalOptions;
    const out = new Output(ctx, options);
    let backend = options.backend ?? ctx.env.BACKSTAGE_URL ?? DEFAULT_BACKEND;
    try {
      const conn = connect(ctx, options);
      backend = conn.backend;
      setExitCode(await body({ ctx, conn, out }));
    } catch (error) {
      out.error(
        describeError(error, {
          backend,
          token: options.token ?? ctx.env.BACKSTAGE_TOKEN,
        }),
      );
      setExitCode(EXIT.ERROR);
    }
  };

  for (const register of [
    registerLaunch,
    registerList,
    registerGet,
    registerLogs,
    registerWait,
    registerCancel,
    registerResume,
    registerImplement,
  ]) {
    register(program, runCommand);
  }
  // Every subcommand reports its errors through the context and exits through run's result.
  for (const command of program.commands) {
    command.exitOverride().configureOutput(program.configureOutput());
  }
  return program;
}

/**
 * Runs the CLI with `argv` (the arguments after the program's name) and resolves with its exit code.
 * Tests call it in-process with their own streams, environment and fetch.
 */
export async function run(
  argv: string[],
  context: Partial<CliContext> = {},
): Promise<number> {
  const abort = new AbortController();
  const ctx: CliContext = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    fetch: (...args) => globalThis.fetch(...args),
    signal: abort.signal,
    ...context,
  };
  // Ctrl-C stops following (the session goes on); a second Ctrl-C exits at once.
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    ctx.stderr.write('\nStopping (Ctrl-C again exits at once)…\n');
    abort.abort();
  };
  const ownSignal = !context.signal;
  if (ownSignal) process.on('SIGINT', onSigint);
  let exitCode: number = 0;
  try {
    const program = buildProgram(ctx, code => {
      exitCode = code;
    });
    if (argv.length === 0) {
      program.outputHelp();
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with code 0; a usage error has printed its message.
      return error.exitCode === 0 ? 0 : EXIT.ERROR;
    }
    new Output(ctx, {}).error(
      error instanceof CliError ? error.message : String(error),
    );
    return EXIT.ERROR;
  } finally {
    if (ownSignal) process.off('SIGINT', onSigint);
  }
}
