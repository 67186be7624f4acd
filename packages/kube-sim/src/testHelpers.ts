import { KubeConfig, Watch } from '@kubernetes/client-node';

/** Polls until `check` returns a defined value (or stops throwing), failing after `timeoutMs`. */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${
          lastError ? `: ${(lastError as Error).message}` : ''
        }`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

export interface RecordedWatch {
  events: Array<{ type: string; object: any }>;
  done: Promise<unknown>;
  stop(): void;
}

/** Opens a watch with @kubernetes/client-node and records every event it delivers. */
export async function recordWatch(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<RecordedWatch> {
  const events: RecordedWatch['events'] = [];
  let finish!: (error: unknown) => void;
  const done = new Promise<unknown>(resolve => (finish = resolve));
  const controller = await new Watch(kubeConfig).watch(
    path,
    query,
    (type, object) => events.push({ type, object }),
    error => finish(error),
  );
  return { events, done, stop: () => controller.abort() };
}

/** The parsed Status body of a failed @kubernetes/client-node call. */
export async function statusOf(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error: any) {
    return typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
  }
  throw new Error('expected the call to fail');
}

export const podSpec = (
  command: string[],
  extra: Record<string, unknown> = {},
) => ({
  restartPolicy: 'Never',
  containers: [{ name: 'main', image: 'local/shell', command, ...extra }],
});
