import { InputError } from '@backstage/errors';
import express, { type RequestHandler } from 'express';
import { RequestBodyTooLargeError } from './RequestBodyTooLargeError';

/**
 * Refuses request bodies over `maxBytes` with a RequestBodyTooLargeError (413) before anything acts
 * on them: by their Content-Length without reading them, or, for chunked bodies, while the JSON
 * parser reads. Parsing JSON here, with this limit, leaves the OpenAPI router's own parser (and its
 * fixed 100 kB limit) nothing to do. Bundle uploads never get here: their router is mounted first
 * and enforces the policy's `maxBundleSize` on the stream.
 */
export function requestBodyLimit(maxBytes: number): RequestHandler[] {
  const limit = `${maxBytes.toLocaleString('en-US')} bytes`;
  const tooLarge = (size: string) =>
    new RequestBodyTooLargeError(
      `The request body is ${size} the agents API's limit of ${limit} (agents.limits.maxRequestBodyBytes); ` +
        'send a smaller body, e.g. a shorter prompt (prompts take at most 32,000 characters), or ask the ' +
        'platform team to raise the limit',
    );

  const byContentLength: RequestHandler = (req, _res, next) => {
    const declared = Number(req.header('content-length'));
    next(declared > maxBytes ? tooLarge(`${declared.toLocaleString('en-US')} bytes, over`) : undefined);
  };
  const json = express.json({ limit: maxBytes });
  const parse: RequestHandler = (req, res, next) =>
    json(req, res, (error?: unknown) => {
      const type = (error as { type?: string } | undefined)?.type;
      if (type === 'entity.too.large') next(tooLarge('over'));
      else if (type === 'entity.parse.failed') {
        next(new InputError(`The request body is not valid JSON (${(error as Error).message}); send a JSON object`));
      } else next(error);
    });
  return [byContentLength, parse];
}
