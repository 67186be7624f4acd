import { spawn } from 'node:child_process';
import {
  deadProxyEnvironment,
  networkIsolation,
  offlineCommand,
} from '../offline/offlineCommand';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Simulator {
  port: number;
  socketPath?: string;
}

/**
 * Runs a command cut off from every network but the simulator: in a loopback-only network
 * namespace when the machine allows it, else with proxy variables pointing at a dead port.
 */
export function runOffline(
  command: string,
  args: string[],
  options: {
    cwd: string;
    env: Record<string, string>;
    simulator: Simulator;
    /** Written to the command's stdin (which is otherwise empty). */
    stdin?: string;
    timeoutMs?: number;
  },
): Promise<CommandResult> {
  const { simulator } = options;
  const socketPath = networkIsolation().available
    ? simulator.socketPath
    : undefined;
  const argv = socketPath
    ? offlineCommand(command, args, { port: simulator.port, socketPath })
    : { command, args };
  const env = socketPath
    ? options.env
    : { ...options.env, ...deadProxyEnvironment() };
  return new Promise((resolve, reject) => {
    const child = spawn(argv.command, argv.args, {
      cwd: options.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // The CLIs read a piped stdin as (more) prompt: it always ends.
    child.stdin.end(options.stdin ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const timer = setTimeout(
      () => child.kill('SIGKILL'),
      options.timeoutMs ?? 60_000,
    );
    child.on('error', reject);
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
