// A stand-in for the backend's bundle routes (`PUT`/`GET /api/agents/runs/{runId}/bundle`): keeps
// every verified upload by run, serves a run the bundle the test gives it, and refuses any request
// without the run's token, as the backend does.
const crypto = require('node:crypto');
const http = require('node:http');

/**
 * @param {{ runToken: string }} options
 */
async function startBundleServer({ runToken }) {
  /** @type {Map<string, { body: Buffer, digest: string }>} */
  const uploads = new Map();
  /** @type {Map<string, { body: Buffer, digest: string }>} */
  const inputs = new Map();
  const fail = (res, status, message) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message } }));
  };
  const server = http.createServer((req, res) => {
    const m = /^\/runs\/([^/]+)\/bundle$/.exec(req.url ?? '');
    if (!m) return fail(res, 404, 'no such route');
    if (req.headers['x-agents-run-token'] !== runToken) return fail(res, 401, 'Invalid run token');
    const runId = m[1];
    if (req.method === 'PUT') {
      const chunks = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const digest = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
        if (digest !== req.headers['x-agents-bundle-digest']) return fail(res, 400, `digest is ${digest}`);
        if (String(body.length) !== req.headers['content-length']) return fail(res, 400, 'wrong Content-Length');
        uploads.set(runId, { body, digest });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ digest, sizeBytes: body.length }));
      });
      return undefined;
    }
    const input = inputs.get(runId);
    if (!input) return fail(res, 404, 'no bundle');
    res.writeHead(200, { 'content-type': 'application/gzip', 'x-agents-bundle-digest': input.digest });
    res.end(input.body);
    return undefined;
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    urlFor: runId => `${base}/runs/${runId}/bundle`,
    uploads,
    /** Makes `runId` restore `bundle` (an earlier run's upload). */
    serve: (runId, bundle) => inputs.set(runId, bundle),
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

module.exports = { startBundleServer };
