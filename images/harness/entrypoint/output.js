// @ts-check
'use strict';

/**
 * Everything the entrypoint prints goes through here, so no secret reaches the pod log: each known
 * secret value is replaced, whatever printed it (git, the harness, an error message).
 *
 * @param {string[]} secrets
 */
function createOutput(secrets) {
  const redact = (/** @type {string} */ text) =>
    secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), text);
  /** @param {string} text */
  const print = text => {
    for (const line of String(text).split(/\r?\n/)) {
      if (line.trim() !== '') process.stdout.write(`${redact(line)}\n`);
    }
  };
  return {
    redact,
    /** A progress line of the entrypoint itself. */
    step: (/** @type {string} */ text) => print(`==> ${text}`),
    print,
    /**
     * The one machine-readable result line; always last.
     * @param {string} prefix
     * @param {object} result
     */
    result: (prefix, result) => process.stdout.write(`${prefix} ${redact(JSON.stringify(result))}\n`),
  };
}

/**
 * Splits a stream into lines and calls `onLine` for each, including a last unterminated one.
 *
 * @param {NodeJS.ReadableStream} stream
 * @param {(line: string) => void} onLine
 */
function forEachLine(stream, onLine) {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (/** @type {string} */ chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      onLine(buffered.slice(0, newline).replace(/\r$/, ''));
      buffered = buffered.slice(newline + 1);
    }
  });
  stream.on('end', () => {
    if (buffered) onLine(buffered);
    buffered = '';
  });
}

module.exports = { createOutput, forEachLine };
