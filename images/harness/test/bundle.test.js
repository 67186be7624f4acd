// Session bundles through a local stand-in for the backend's bundle route: a snapshot of the state
// directories is uploaded and restored into a fresh HOME, and a bundle whose digest does not match
// is refused before anything is unpacked.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { useTmpDirs } = require('./tmpDirs');
const { restoreBundle, snapshotState, uploadBundle } = require('../entrypoint/bundle');

const RUN_TOKEN = 'run-token-for-tests';

const tmpDir = useTmpDirs();

/** Keeps one bundle in memory, as the backend keeps it per run, behind the run token. */
async function bundleServer() {
  const stored = { body: Buffer.alloc(0), digest: '' };
  const server = http.createServer((req, res) => {
    if (req.headers['x-agents-run-token'] !== RUN_TOKEN) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Invalid run token' } }));
      return;
    }
    if (req.method === 'PUT') {
      const chunks = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        stored.body = Buffer.concat(chunks);
        stored.digest = String(req.headers['x-agents-bundle-digest']);
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ digest: stored.digest, sizeBytes: stored.body.length }));
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'x-agents-bundle-digest': stored.digest });
    res.end(stored.body);
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/runs/r1/bundle`;
  return { url, stored, close: () => new Promise(resolve => server.close(resolve)) };
}

describe('session bundles', () => {
  let server;
  beforeAll(async () => {
    server = await bundleServer();
  });
  afterAll(() => server.close());

  async function uploadState() {
    const home = tmpDir('home');
    fs.mkdirSync(path.join(home, '.local/share/opencode'), { recursive: true });
    fs.writeFileSync(path.join(home, '.local/share/opencode/opencode.db'), 'conversation state');
    const snapshot = await snapshotState({ home, directories: ['.local/share/opencode', '.claude'], tmpDir: tmpDir('out') });
    await uploadBundle({ url: server.url, runToken: RUN_TOKEN, ...snapshot });
    return snapshot;
  }

  it('restores the uploaded state directories into a new HOME, with the digest and size it checked', async () => {
    const snapshot = await uploadState();
    expect(snapshot.directories).toEqual(['.local/share/opencode']);
    const home = tmpDir('restored');
    const restored = await restoreBundle({ url: server.url, digest: snapshot.digest, runToken: RUN_TOKEN, home, tmpDir: tmpDir('in') });
    expect(restored).toEqual({ digest: snapshot.digest, sizeBytes: snapshot.sizeBytes });
    expect(fs.readFileSync(path.join(home, '.local/share/opencode/opencode.db'), 'utf8')).toBe('conversation state');
  });

  it('refuses a bundle whose digest differs from the expected one and unpacks nothing', async () => {
    const snapshot = await uploadState();
    const home = tmpDir('refused');
    const downloads = tmpDir('in');
    const expected = `sha256:${'0'.repeat(64)}`;
    await expect(
      restoreBundle({ url: server.url, digest: expected, runToken: RUN_TOKEN, home, tmpDir: downloads }),
    ).rejects.toThrow(`The session bundle's digest is ${snapshot.digest}, expected ${expected}`);
    expect(fs.readdirSync(home)).toEqual([]);
    expect(fs.readdirSync(downloads)).toEqual([]);
  });

  it('takes the digest from the response when the run names none, and still checks it', async () => {
    const snapshot = await uploadState();
    server.stored.body = Buffer.concat([server.stored.body, Buffer.from('tampered')]);
    await expect(
      restoreBundle({ url: server.url, digest: undefined, runToken: RUN_TOKEN, home: tmpDir('tampered'), tmpDir: tmpDir('in') }),
    ).rejects.toThrow(`expected ${snapshot.digest}`);
  });

  it('says why a download was refused', async () => {
    await expect(
      restoreBundle({ url: server.url, digest: undefined, runToken: 'wrong', home: tmpDir('home'), tmpDir: tmpDir('in') }),
    ).rejects.toThrow('Downloading the session bundle failed: 401 Invalid run token');
  });

  it('retries a transfer answered 503 or 404 by a replica that is not ready, with the whole file each time', async () => {
    const answers = [503, 404];
    let received = Buffer.alloc(0);
    const flaky = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const status = answers.shift() ?? 201;
        if (status === 201) received = Buffer.concat(chunks);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(status === 201 ? { sizeBytes: received.length } : { error: { message: 'not ready' } }));
      });
    });
    await new Promise(resolve => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const home = tmpDir('home');
      fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
      fs.writeFileSync(path.join(home, '.claude/session.json'), 'state');
      const snapshot = await snapshotState({ home, directories: ['.claude'], tmpDir: tmpDir('out') });
      const url = `http://127.0.0.1:${flaky.address().port}/runs/r1/bundle`;
      await uploadBundle({ url, runToken: RUN_TOKEN, ...snapshot });
      expect(answers).toEqual([]);
      expect(received.length).toBe(snapshot.sizeBytes);
    } finally {
      await new Promise(resolve => flaky.close(resolve));
    }
  });

  it('does not retry a refusal: a wrong run token fails at the first answer', async () => {
    let requests = 0;
    const refusing = http.createServer((req, res) => {
      requests += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Invalid run token' } }));
      });
    });
    await new Promise(resolve => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const home = tmpDir('home');
      fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
      fs.writeFileSync(path.join(home, '.claude/session.json'), 'state');
      const snapshot = await snapshotState({ home, directories: ['.claude'], tmpDir: tmpDir('out') });
      const url = `http://127.0.0.1:${refusing.address().port}/runs/r1/bundle`;
      await expect(uploadBundle({ url, runToken: 'wrong', ...snapshot })).rejects.toThrow('401 Invalid run token');
      expect(requests).toBe(1);
    } finally {
      await new Promise(resolve => refusing.close(resolve));
    }
  });
});
