import { fork, type ChildProcess } from 'node:child_process';

/** How a bench client process reaches the API server: its URL, the CA to trust and the token. */
export interface ApiAccess {
  server: string;
  ca?: string;
  token?: string;
}

export interface ForkedClient {
  /** Sends one `run` message and resolves with the results the process reports for it. */
  run<T>(message: Record<string, unknown>): Promise<T>;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts one of the `*.mjs` clients beside this file (plain Node, no transform) and waits until it
 * watches the API server. Its work is in its own process, so the bench process's CPU time stays
 * the backend's.
 */
export async function forkClient(
  script: string,
  init: { api: ApiAccess; namespace: string; url: string },
): Promise<ForkedClient> {
  const child = fork(require.resolve(`./${script}`), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  child.on('message', (message: any) => {
    if (message.type !== 'result') return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) waiter?.reject(new Error(`${script}: ${message.error}`));
    else waiter?.resolve(message.results);
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', code => reject(new Error(`${script} exited with ${code} while starting`)));
    child.on('message', (message: any) => {
      if (message.type === 'ready') resolve();
    });
    child.send({ type: 'init', ...init });
  });
  child.on('exit', code => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${script} exited with ${code}`));
  });
  return {
    child,
    run<T>(message: Record<string, unknown>) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ type: 'run', id, ...message });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise(resolve => child.once('exit', resolve));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}
