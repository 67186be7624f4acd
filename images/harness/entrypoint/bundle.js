// @ts-check
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { exec } = require('./exec');

const TOKEN_HEADER = 'X-Agents-Run-Token';
const DIGEST_HEADER = 'X-Agents-Bundle-Digest';
/** Generous: a bundle is a few MB, but a slow network must not lose a session's state. */
const TRANSFER_TIMEOUT_MS = 10 * 60_000;
/**
 * Pauses before each new attempt at a transfer answered 404, 502, 503 or 504, or cut off: a replica
 * that is starting (its server is up, the agents routes not yet) or stopping, a proxy between, or
 * a database restarting (the backend answers 503) must not cost the session its state. About a
 * minute in all; any other answer is final at once.
 */
const RETRY_PAUSES_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000];
const RETRIED_STATUSES = new Set([404, 502, 503, 504]);

/** @param {string} file */
async function digestOf(file) {
  const hash = crypto.createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Downloads the run's input bundle, checks its digest before anything is unpacked, and restores the
 * harness's state directories under HOME.
 *
 * @param {{ url: string, digest: string | undefined, runToken: string, home: string, tmpDir: string, signal?: AbortSignal }} options
 */
async function restoreBundle(options) {
  const file = path.join(options.tmpDir, `agents-bundle-in-${process.pid}.tar.gz`);
  const response = await withRetries(() =>
    fetch(options.url, {
      headers: { [TOKEN_HEADER]: options.runToken },
      signal: anySignal(options.signal, AbortSignal.timeout(TRANSFER_TIMEOUT_MS)),
    }),
  );
  if (!response.ok || !response.body) {
    throw new Error(`Downloading the session bundle failed: ${response.status} ${await errorMessage(response)}`);
  }
  // Hashed as it is written, so the archive is read once more only by tar.
  const hash = crypto.createHash('sha256');
  let sizeBytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(/** @type {any} */ (response.body)),
      async function* (/** @type {AsyncIterable<Buffer>} */ source) {
        for await (const chunk of source) {
          hash.update(chunk);
          sizeBytes += chunk.length;
          yield chunk;
        }
      },
      fs.createWriteStream(file),
    );
    const digest = `sha256:${hash.digest('hex')}`;
    const expected = options.digest ?? response.headers.get(DIGEST_HEADER);
    if (digest !== expected) {
      throw new Error(`The session bundle's digest is ${digest}, expected ${expected}: refusing to restore it`);
    }
    // GNU tar drops leading '/' and '..' members; ownership is never taken from the archive.
    await exec('tar', ['-xzf', file, '-C', options.home, '--no-same-owner', '--no-same-permissions']);
    return { digest, sizeBytes };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/**
 * Archives the state directories (relative to HOME) that exist; undefined when none does.
 *
 * @param {{ home: string, directories: string[], excludes?: string[], tmpDir: string }} options
 */
async function snapshotState(options) {
  const present = options.directories.filter(dir => fs.existsSync(path.join(options.home, dir)));
  if (present.length === 0) return undefined;
  const file = path.join(options.tmpDir, `agents-bundle-out-${process.pid}.tar.gz`);
  const excludes = (options.excludes ?? []).map(pattern => `--exclude=${pattern}`);
  await exec('tar', ['-czf', file, ...excludes, '-C', options.home, '--', ...present]);
  return { file, digest: await digestOf(file), sizeBytes: fs.statSync(file).size, directories: present };
}

/**
 * Streams a snapshot to the backend with its digest; the backend verifies both before keeping it.
 *
 * @param {{ url: string, runToken: string, file: string, digest: string, sizeBytes: number }} options
 */
async function uploadBundle(options) {
  const response = await withRetries(() =>
    fetch(options.url, {
      method: 'PUT',
      headers: {
        [TOKEN_HEADER]: options.runToken,
        [DIGEST_HEADER]: options.digest,
        'Content-Type': 'application/gzip',
        'Content-Length': String(options.sizeBytes),
      },
      // A new stream of the file for every attempt.
      body: /** @type {any} */ (Readable.toWeb(fs.createReadStream(options.file))),
      duplex: 'half',
      signal: AbortSignal.timeout(TRANSFER_TIMEOUT_MS),
    }),
  );
  if (response.status !== 201) {
    throw new Error(`Uploading the session bundle failed: ${response.status} ${await errorMessage(response)}`);
  }
  return response.json();
}

/**
 * Sends a request again after each pause while it is answered with a status worth retrying or fails
 * on the network; the last answer (or error) stands.
 *
 * @param {() => Promise<Response>} send
 */
async function withRetries(send) {
  for (const pause of RETRY_PAUSES_MS) {
    try {
      const response = await send();
      if (!RETRIED_STATUSES.has(response.status)) return response;
      await response.body?.cancel();
    } catch (error) {
      // A timeout or an abort is final; a refused or reset connection is worth another attempt.
      if (/** @type {Error} */ (error).name === 'TimeoutError' || /** @type {Error} */ (error).name === 'AbortError') {
        throw error;
      }
    }
    await new Promise(resolve => setTimeout(resolve, pause));
  }
  return send();
}

/** @param {Response} response */
async function errorMessage(response) {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text).error?.message ?? text;
  } catch {
    return text;
  }
}

/** @param {(AbortSignal | undefined)[]} signals */
function anySignal(...signals) {
  return AbortSignal.any(/** @type {AbortSignal[]} */ (signals.filter(Boolean)));
}

module.exports = { restoreBundle, snapshotState, uploadBundle, digestOf };
