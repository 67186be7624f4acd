/** A writable the CLI prints to: the process's stdout/stderr, or a test's buffer. */
export type CliStream = {
  write(chunk: string): unknown;
  /** Set on a terminal: colour and progress are only for a terminal. */
  isTTY?: boolean;
};

/** What the CLI takes from its process, injectable so tests run it in-process. */
export type CliContext = {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  /** The fetch the API client uses (a test passes `FakeAgentsApi.fetch`). */
  fetch: typeof fetch;
  /** The first wait before `logs -f` reconnects after a drop (default 1 s). */
  retryDelayMs?: number;
  /** How long `logs` without `-f` waits for more of a running session's log (default 1 s). */
  idleMs?: number;
  /** How often a fan-out is polled for its waves while following it (default 2 s). */
  pollMs?: number;
  /** The directory relative paths are read from (default: the process's). */
  cwd?: string;
  /** Aborted on Ctrl-C: following stops. */
  signal?: AbortSignal;
};

/** The backend used without `--backend` or `BACKSTAGE_URL`. */
export const DEFAULT_BACKEND = 'http://localhost:7007';
