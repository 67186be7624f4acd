import http from 'node:http';
import type { FuzzRequest } from './FuzzRequest';

export interface FuzzAnswer {
  /** The HTTP status, or undefined when the connection failed before any answer. */
  status?: number;
  contentType?: string;
  /** The start of the answer's body. */
  body: string;
  /** Why there was no answer. */
  error?: string;
}

const KEPT_BODY = 4_000;

/**
 * Sends a request exactly as built (Node's client does not normalise `..` segments, unlike fetch)
 * and reads the answer. An event stream that opens is closed again after its first bytes.
 */
export function sendRequest(baseUrl: URL, request: FuzzRequest, agent: http.Agent, timeoutMs = 30_000): Promise<FuzzAnswer> {
  return new Promise(resolve => {
    let settled = false;
    // eslint-disable-next-line prefer-const -- set below, once the request exists
    let timer: NodeJS.Timeout | undefined;
    const settle = (answer: FuzzAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const req = http.request(
      {
        host: baseUrl.hostname,
        port: baseUrl.port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) }),
        },
        agent,
      },
      res => {
        const contentType = res.headers['content-type'];
        let body = '';
        if (res.statusCode === 200 && contentType?.startsWith('text/event-stream')) {
          res.once('data', chunk => {
            settle({ status: 200, contentType, body: String(chunk) });
            req.destroy();
          });
          return;
        }
        res.setEncoding('utf8');
        res.on('data', chunk => {
          if (body.length < KEPT_BODY) body += chunk;
        });
        res.on('end', () => settle({ status: res.statusCode, contentType, body: body.slice(0, KEPT_BODY) }));
        res.on('error', () => settle({ status: res.statusCode, contentType, body }));
      },
    );
    timer = setTimeout(() => {
      settle({ body: '', error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', error => {
      // The server may answer (e.g. 413) and close before the whole body is written: wait for the answer.
      setTimeout(() => settle({ body: '', error: String(error) }), 200);
    });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });
}
