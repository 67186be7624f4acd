import { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
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

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a request body as JSON, or YAML for server-side apply; an empty body is undefined. */
export async function readObject(req: IncomingMessage): Promise<any> {
  const text = await readBody(req);
  if (!text.trim()) return undefined;
  const contentType = req.headers['content-type'] ?? '';
  try {
    return contentType.includes('yaml') ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}
