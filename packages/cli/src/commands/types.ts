import type { Command } from 'commander';
import type { Connection } from '../client';
import type { CliContext } from '../context';
import type { Output } from '../output';

/** What a command's body gets: the context, the connection to the backend, and the output. */
export type CommandEnv = {
  ctx: CliContext;
  conn: Connection;
  out: Output;
};

/** Runs a command's body with its environment; the body resolves with the exit code. */
export type CommandRunner = (
  command: Command,
  body: (env: CommandEnv) => Promise<number>,
) => Promise<void>;
