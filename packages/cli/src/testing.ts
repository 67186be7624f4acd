import type { FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { run } from './main';

/** A stream that keeps what is written, as a terminal or not. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

/** Runs the CLI in-process against the fake, through its fetch: no socket. */
export async function runAgainst(
  fake: FakeAgentsApi,
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    tty?: boolean;
    fetch?: typeof fetch;
    signal?: AbortSignal;
  } = {},
) {
  const stdout = new Capture(options.tty);
  const stderr = new Capture(options.tty);
  const origin = (await fake.discoveryApi.getBaseUrl('agents')).replace(
    /\/api\/agents$/,
    '',
  );
  const code = await run(argv, {
    stdout,
    stderr,
    env: { BACKSTAGE_URL: origin, BACKSTAGE_TOKEN: 'token-1', ...options.env },
    fetch: options.fetch ?? fake.fetch,
    retryDelayMs: 1,
    idleMs: 50,
    signal: options.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}
