import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

/** A process started in its own process group, so that it and everything it starts can be killed at once. */
export interface GroupProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** Sends a signal to the whole group; a group that is already gone is ignored. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the leader has exited. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<GroupProcess>();

/**
 * Starts `command` detached (its own process group) with stdout and stderr appended to `logFile`.
 * Every group started here is killed when this process exits, however it exits.
 */
export function startGroup(
  name: string,
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFile: string },
): GroupProcess {
  const out = fs.openSync(options.logFile, 'a');
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const exited = new Promise<number | string>(resolve =>
    child.once('exit', (code, sig) => {
      live.delete(group);
      resolve(code ?? sig ?? 'unknown');
    }),
  );
  const signal = (sig: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // The group is already gone.
    }
  };
  const group: GroupProcess = {
    name,
    child,
    logFile: options.logFile,
    exited,
    signal,
    async stop(graceMs = 5_000) {
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Whatever the leader left running in its group goes too.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Nothing left.
      }
    },
  };
  live.add(group);
  return group;
}

/** Kills every group still running, synchronously: for exit paths that cannot wait. */
export function killAllGroups(): void {
  for (const group of [...live]) {
    if (group.child.pid === undefined) continue;
    try {
      process.kill(-group.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Stops every group still running, gracefully first, the most recently started first. */
export async function stopAllGroups(graceMs = 5_000): Promise<void> {
  for (const group of [...live].reverse()) await group.stop(graceMs);
}

process.on('exit', killAllGroups);
