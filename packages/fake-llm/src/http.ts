import { IncomingMessage, ServerResponse } from 'node:http';
import * as zlib from 'node:zlib';

/**
 * Reads a request body, undoing any content encoding (Codex can send zstd-compressed requests):
 * JSON when it parses, else the text.
 */
export async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let bytes = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') bytes = zlib.gunzipSync(bytes);
  else if (encoding === 'deflate') bytes = zlib.inflateSync(bytes);
  else if (encoding === 'br') bytes = zlib.brotliDecompressSync(bytes);
  else if (encoding === 'zstd' && 'zstdDecompressSync' in zlib) {
    const decompress = (
      zlib as unknown as { zstdDecompressSync(b: Buffer): Buffer }
    ).zstdDecompressSync;
    bytes = decompress(bytes);
  }
  const text = bytes.toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

export const sleep = (ms: number) =>
  new Promise(resolve => setTimeout(resolve, ms));
