import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { InputError, serializeError } from '@backstage/errors';
import type { ErrorRequestHandler } from 'express';
import { pipeline } from 'node:stream/promises';
import Router from 'express-promise-router';
import type { BundleService } from '../bundles/BundleService';
import { BundleTooLargeError } from '../bundles/BundleVerifier';
import { databaseUnavailableHandler } from './databaseUnavailable';

/** The header a harness pod authenticates its bundle transfers with. */
export const RUN_TOKEN_HEADER = 'x-agents-run-token';
export const DIGEST_HEADER = 'x-agents-bundle-digest';
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `PUT/GET /runs/{runId}/bundle`: the only routes a harness pod calls. They take the run's token,
 * not a Backstage identity, and stream bodies straight between the socket and the bundle store.
 * Mounted ahead of the JSON API so no body parser ever buffers a bundle.
 */
export function createBundleRouter(options: {
  bundles: BundleService;
  logger: LoggerService;
  config: Config;
}) {
  const { bundles, logger, config } = options;
  const router = Router();

  // Run ids are UUIDs; anything else would reach the database as a malformed uuid (an error on PostgreSQL).
  router.param('runId', (_req, _res, next, runId: string) => {
    next(
      UUID_PATTERN.test(runId)
        ? undefined
        : new InputError(`Run id '${runId}' is not a UUID; use the id of one of the session's runs`),
    );
  });

  router.put('/runs/:runId/bundle', async (req, res) => {
    const context = await bundles.authenticate(req.params.runId, req.header(RUN_TOKEN_HEADER));
    const length = req.header('content-length');
    const bundle = await bundles.upload(context, {
      digest: req.header(DIGEST_HEADER),
      contentLength: length === undefined ? undefined : Number(length),
      content: req,
    });
    res.status(201).json({
      id: bundle.id,
      digest: bundle.digest,
      sizeBytes: Number(bundle.size_bytes),
      createdAt: bundle.created_at,
    });
  });

  router.get('/runs/:runId/bundle', async (req, res) => {
    const context = await bundles.authenticate(req.params.runId, req.header(RUN_TOKEN_HEADER));
    const { bundle, content } = await bundles.download(context);
    res.status(200);
    res.setHeader('content-type', 'application/gzip');
    res.setHeader('content-length', String(bundle.size_bytes));
    res.setHeader(DIGEST_HEADER, bundle.digest);
    // pipeline carries back-pressure from the socket to the store, and closes the store's stream
    // (and what it holds, e.g. a database connection) when the client goes away.
    pipeline(content, res).catch(error => {
      logger.warn(`Streaming bundle ${bundle.id} failed: ${error}`);
    });
  });

  const tooLarge: ErrorRequestHandler = (error, req, res, next) => {
    if (!(error instanceof BundleTooLargeError)) {
      next(error);
      return;
    }
    // The rest of the body is not read: close the connection instead of draining it.
    res.setHeader('connection', 'close');
    res.status(413).json({
      error: serializeError(error),
      request: { method: req.method, url: req.originalUrl },
      response: { statusCode: 413 },
    });
  };
  router.use(tooLarge);
  router.use(databaseUnavailableHandler);
  router.use(MiddlewareFactory.create({ config, logger }).error());
  return router;
}
