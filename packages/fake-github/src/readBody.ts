import { IncomingMessage } from 'node:http';
import { GitHubError } from './errors';

/** Bodies are read whole into memory; this keeps a runaway client from exhausting it. */
const MAX_BODY = 10 * 1024 * 1024;

/** A request's whole body; 413 over `MAX_BODY`. */
export const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new GitHubError(413, 'Payload too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
