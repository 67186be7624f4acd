import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';

/**
 * Runs a command with no network but the simulator: under `unshare -n` it gets a network namespace
 * of its own whose only interface is loopback, so any attempt to reach a host beyond the machine
 * fails at once. The simulator listens outside that namespace; a small forwarder inside
 * (bin/offline-exec) carries 127.0.0.1:<port> to the simulator's Unix socket, which file-system
 * paths make reachable across namespaces; several ports can be forwarded, each to a socket that
 * startPortBridge (portBridge.ts) connects to a local service outside.
 *
 * `unshare -n` needs root (or unprivileged user namespaces, which this does not rely on) and `ip`
 * to bring loopback up. Where that is missing, `deadProxyEnvironment` is the fallback: every
 * client that honours the proxy variables is pointed at a port nobody listens on.
 */

/** The forwarder's script, found through the package (a path relative to this file would not be). */
function offlineExecPath(): string {
  const packageJson = require.resolve(
    '@backstage-agents/fake-llm/package.json',
  );
  return join(dirname(packageJson), 'bin', 'offline-exec');
}

export interface Isolation {
  available: boolean;
  /** Why `unshare -n` cannot be used here, when it cannot. */
  reason?: string;
}

let probed: Isolation | undefined;

/** Whether this machine can run a command in a loopback-only network namespace. */
export function networkIsolation(): Isolation {
  if (!probed) {
    const probe = spawnSync(
      'unshare',
      ['-n', '--', 'ip', 'link', 'set', 'lo', 'up'],
      {
        encoding: 'utf8',
        timeout: 10_000,
      },
    );
    probed =
      probe.status === 0
        ? { available: true }
        : {
            available: false,
            reason:
              probe.error?.message ??
              (probe.stderr.trim() || `unshare exited with ${probe.status}`),
          };
  }
  return probed;
}

/** A loopback port inside the namespace and the Unix socket its connections are carried to. */
export interface Forward {
  port: number;
  socketPath: string;
}

/**
 * The argv that runs `command` in its own network namespace, reaching nothing but the forwards:
 * the simulator alone, or several services (each socket served outside by a `startPortBridge`).
 */
export function offlineCommand(
  command: string,
  args: string[],
  forwards: Forward | Forward[],
): { command: string; args: string[] } {
  return {
    command: 'unshare',
    args: [
      '-n',
      '--',
      process.execPath,
      offlineExecPath(),
      ...[forwards]
        .flat()
        .flatMap(f => ['--forward', `${f.port}=${f.socketPath}`]),
      '--',
      command,
      ...args,
    ],
  };
}

/** Proxy variables that send every proxied request to a dead port, except to loopback. */
export function deadProxyEnvironment(): Record<string, string> {
  const dead = 'http://127.0.0.1:9';
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    HTTP_PROXY: dead,
    HTTPS_PROXY: dead,
    ALL_PROXY: dead,
    http_proxy: dead,
    https_proxy: dead,
    all_proxy: dead,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}
