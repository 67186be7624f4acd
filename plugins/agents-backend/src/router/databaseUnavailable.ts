import { ServiceUnavailableError } from '@backstage/errors';
import type { ErrorRequestHandler } from 'express';

/**
 * PostgreSQL's answers when it cannot serve at all (class 08, connection exceptions; 57P01–57P03,
 * shutting down or starting up), and the socket errors of a database that is not there.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

/** Whether a request failed because the database could not be reached, not because of the request. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  // knex, when its pool cannot hand out a connection in time.
  return typeof message === 'string' && message.startsWith('Knex: Timeout acquiring a connection');
}

/**
 * Answers a request that met an unreachable database (a PostgreSQL restart or failover) with 503 and
 * `Retry-After`, rather than a 500: nothing was wrong with the request, and the same request will
 * succeed shortly. Harness pods retry their bundle transfers on it.
 */
export const databaseUnavailableHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (!isDatabaseUnavailable(error)) {
    next(error);
    return;
  }
  res.setHeader('retry-after', '5');
  next(new ServiceUnavailableError('The database is not available; try again shortly', error));
};
