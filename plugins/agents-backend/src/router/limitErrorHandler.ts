import { serializeError } from '@backstage/errors';
import type { ErrorRequestHandler } from 'express';
import { RequestBodyTooLargeError } from './RequestBodyTooLargeError';
import { TooManyRequestsError } from './TooManyRequestsError';

/**
 * Answers the API's limit errors, which Backstage's error handler would serve as 500s: 413 for a body
 * over the limit (closing the connection, whose body may be unread), 429 with `Retry-After` for a
 * caller over a concurrency limit. Other errors go on to Backstage's handler. Same body shape as it.
 */
export const limitErrorHandler: ErrorRequestHandler = (error, req, res, next) => {
  let statusCode: number;
  if (error instanceof RequestBodyTooLargeError) {
    statusCode = 413;
    res.setHeader('connection', 'close');
  } else if (error instanceof TooManyRequestsError) {
    statusCode = 429;
    res.setHeader('retry-after', String(error.retryAfterSeconds));
  } else {
    next(error);
    return;
  }
  if (res.headersSent) {
    next(error);
    return;
  }
  res.status(statusCode).json({
    error: serializeError(error),
    request: { method: req.method, url: req.url },
    response: { statusCode },
  });
};
