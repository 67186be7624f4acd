import type { LoggerService } from '@backstage/backend-plugin-api';

/** A logger for benchmarks: their output is the table, not the backend's log. */
export const silentLogger: LoggerService = {
  error: () => {},
  warn: () => {},
  info: () => {},
  debug: () => {},
  child: () => silentLogger,
};
