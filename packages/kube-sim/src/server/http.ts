import { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject, isProtobuf } from './protobuf';
import { ApiError, badRequest, internalError } from './statusErrors';

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

/** Renders any error as a Kubernetes `Status`; unexpected ones become 500 InternalError. */
export function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : internalError(String((error as Error)?.message ?? error));
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, apiError.code, apiError.toStatus());
}

export async function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

/**
 * Parses a request body as JSON, YAML for server-side apply, or Kubernetes protobuf (what
 * client-go's typed clients, e.g. `kubectl create secret`, send; see ./protobuf.ts); an empty
 * body is undefined. Responses stay JSON whatever the request's Accept header prefers.
 */
export async function readObject(req: IncomingMessage): Promise<any> {
  const bytes = await readBodyBytes(req);
  const contentType = req.headers['content-type'] ?? '';
  if (isProtobuf(contentType))
    return bytes.length > 0 ? decodeProtobufObject(bytes) : undefined;
  const text = bytes.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}
