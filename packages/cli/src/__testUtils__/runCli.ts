import { run } from '../main';
import { Capture } from '../testing';

/** A stream that keeps what is written and when: to tell what arrived before and after an event. */
export class TimedCapture extends Capture {
  readonly writes: Array<{ at: number; text: string }> = [];
  write(chunk: string) {
    this.writes.push({ at: Date.now(), text: chunk });
    return super.write(chunk);
  }
}

/** A request the CLI sent, as its fetch saw it. */
export type SentRequest = {
  method: string;
  url: string;
  authorization: string | null;
  at: number;
};

/** One in-process run of the CLI: its output so far, while running, and its exit code once done. */
export type CliRun = {
  stdout: TimedCapture;
  stderr: TimedCapture;
  requests: SentRequest[];
  /** Resolves with the exit code. */
  exit: Promise<number>;
  /** Ctrl-C: stops following. */
  abort(): void;
};

/**
 * Starts the CLI in-process against `url` (a real backend, over real HTTP through global fetch),
 * recording every request it sends. `retryDelayMs` is the first wait before `logs -f` reconnects.
 */
export function startCli(
  argv: string[],
  options: {
    url: string;
    token?: string;
    env?: Record<string, string | undefined>;
    retryDelayMs?: number;
  },
): CliRun {
  const stdout = new TimedCapture();
  const stderr = new TimedCapture();
  const requests: SentRequest[] = [];
  const abort = new AbortController();
  const recordingFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      at: Date.now(),
    });
    return globalThis.fetch(request);
  };
  const exit = run(argv, {
    stdout,
    stderr,
    env: {
      BACKSTAGE_URL: options.url,
      ...(options.token ? { BACKSTAGE_TOKEN: options.token } : {}),
      ...options.env,
    },
    fetch: recordingFetch,
    retryDelayMs: options.retryDelayMs ?? 100,
    idleMs: 300,
    signal: abort.signal,
  });
  return { stdout, stderr, requests, exit, abort: () => abort.abort() };
}

/** Runs the CLI to its end; resolves with its exit code, output and requests. */
export async function runCli(
  argv: string[],
  options: Parameters<typeof startCli>[1],
) {
  const cli = startCli(argv, options);
  const code = await cli.exit;
  return {
    code,
    stdout: cli.stdout.text,
    stderr: cli.stderr.text,
    requests: cli.requests,
  };
}
