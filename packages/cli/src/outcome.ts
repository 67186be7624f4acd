import type { AgentsSessionStatus } from '@backstage-agents/plugin-agents-common';

/**
 * The exit codes of the CLI. `wait`, `launch --wait` and `logs -f` exit with the outcome of the
 * session; every command exits with ERROR when it could not do what was asked.
 */
export const EXIT = {
  SUCCEEDED: 0,
  FAILED: 1,
  CANCELLED: 2,
  ERROR: 3,
} as const;

/** The exit code that says a finished session's outcome. */
export function exitCodeOf(status: AgentsSessionStatus): number {
  switch (status) {
    case 'succeeded':
      return EXIT.SUCCEEDED;
    case 'cancelled':
      return EXIT.CANCELLED;
    case 'failed':
    case 'timed_out':
      return EXIT.FAILED;
    default:
      // Not finished: the caller stopped following before the end.
      return EXIT.ERROR;
  }
}
