#!/usr/bin/env node
/**
 * The harness side of the bundle bench, in its own process so that the backend's CPU time and memory
 * are its own. Driven over IPC by `bench/cases/bundles.ts`:
 *   { cmd: 'prepare', file, megabytes } → writes a gzip-compressed tar of incompressible bytes, answers
 *     its digest and size (before any timing);
 *   { cmd: 'upload', url, token, digest, file } → streams the file as the request body;
 *   { cmd: 'download', url, token } → drains the response, hashing it on the way;
 * each answered with { status, ms, bytes, digest?, body? }.
 */
const { createCipheriv, createHash } = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { createGzip } = require('node:zlib');

const MB = 1024 * 1024;

/** AES-CTR over zeros: deterministic, incompressible, and generated faster than it can be gzipped. */
function* randomMegabytes(megabytes) {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16));
  const zeros = Buffer.alloc(MB);
  for (let i = 0; i < megabytes; i++) yield cipher.update(zeros);
}

/** A tar archive with one regular file: `.local/share/opencode/opencode.db` of `megabytes` MiB. */
function* tarOf(megabytes) {
  const header = Buffer.alloc(512);
  header.write('.local/share/opencode/opencode.db', 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0001750\0', 108);
  header.write('0001750\0', 116);
  header.write(`${(megabytes * MB).toString(8).padStart(11, '0')}\0`, 124);
  header.write(`${Math.floor(Date.now() / 1000).toString(8).padStart(11, '0')}\0`, 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  yield header;
  yield* randomMegabytes(megabytes);
  yield Buffer.alloc(1024); // end-of-archive marker
}

async function prepare({ file, megabytes }) {
  await pipeline(
    Readable.from(tarOf(megabytes)),
    createGzip({ level: 1, chunkSize: MB }),
    fs.createWriteStream(file),
  );
  // Reading it back for its digest also leaves it in the page cache for the timed upload.
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * MB })) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes };
}

function upload({ url, token, digest, file }) {
  const size = fs.statSync(file).size;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'PUT',
      headers: {
        'x-agents-run-token': token,
        'x-agents-bundle-digest': digest,
        'content-type': 'application/gzip',
        'content-length': String(size),
      },
    });
    req.on('response', res => {
      const chunks = [];
      res.on('data', chunk => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          ms: performance.now() - started,
          bytes: size,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
    req.on('error', reject);
    pipeline(fs.createReadStream(file, { highWaterMark: MB }), req).catch(reject);
  });
}

function download({ url, token }) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'x-agents-run-token': token } }, res => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', chunk => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            ms: performance.now() - started,
            bytes,
            digest: `sha256:${hash.digest('hex')}`,
          }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const commands = { prepare, upload, download };

process.on('message', message => {
  const { cmd, ...args } = message;
  Promise.resolve()
    .then(() => commands[cmd](args))
    .then(
      result => process.send?.({ ok: true, ...result }),
      error => process.send?.({ ok: false, error: String(error?.stack ?? error) }),
    );
});
process.on('disconnect', () => process.exit(0));
