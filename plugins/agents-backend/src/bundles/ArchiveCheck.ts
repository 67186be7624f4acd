import { Worker } from 'node:worker_threads';

/** What the check found: the number of entries, or why the bytes are not a gzip-compressed tar archive. */
export interface ArchiveCheckResult {
  entries: number;
  error?: string;
}

/** Bytes sent to the worker for one check and not yet taken by its gunzip: the most an upload holds for it. */
const MAX_UNTAKEN_BYTES = 4 * 1024 * 1024;

/**
 * The worker's code, plain CommonJS evaluated as is (no build step, the same under every loader).
 * For each check (by id) it gunzips what it is sent and parses the result as a tar archive,
 * discarding the entries' contents; each piece is acknowledged once gunzip has taken it, which paces
 * the sender, and the result is reported once the archive ends or fails.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createGunzip } = require('node:zlib');
const { Parser } = require(workerData.tarPath);
const checks = new Map();
function start(id) {
  const gunzip = createGunzip({ chunkSize: 256 * 1024 });
  const parser = new Parser({ strict: true });
  const check = { gunzip, entries: 0, error: undefined, reported: false, held: [] };
  const report = () => {
    if (check.reported) return;
    check.reported = true;
    parentPort.postMessage({ type: 'result', id, entries: check.entries, error: check.error });
  };
  // A failed gunzip never drains: the acknowledgements it holds go out at once.
  const release = () => check.held.splice(0).forEach(ack => ack());
  const fail = e => {
    if (check.error === undefined) check.error = String((e && e.message) || e);
    release();
    report();
  };
  check.report = report;
  parser.on('entry', entry => {
    check.entries++;
    entry.resume();
  });
  gunzip.on('error', fail);
  parser.on('error', fail);
  parser.on('end', report);
  parser.on('close', report);
  gunzip.on('data', data => {
    if (check.error === undefined) parser.write(data);
  });
  gunzip.on('drain', release);
  gunzip.on('end', () => parser.end());
  checks.set(id, check);
  return check;
}
parentPort.on('message', message => {
  const { id } = message;
  if (message.type === 'stop') {
    checks.get(id)?.gunzip.destroy();
    checks.delete(id);
    return;
  }
  const check = checks.get(id) || start(id);
  if (message.type === 'end') {
    checks.delete(id);
    if (check.error === undefined) check.gunzip.end();
    else check.report();
    return;
  }
  const ack = () => parentPort.postMessage({ type: 'ack', id, bytes: message.data.byteLength });
  if (check.error !== undefined || check.gunzip.write(message.data)) ack();
  else check.held.push(ack);
});
`;

interface Pending {
  untaken: number;
  resume?: () => void;
  settle: (result: ArchiveCheckResult) => void;
}

/**
 * One worker thread, started at the first upload and kept (unreferenced) for the next ones, checks
 * every upload of this backend side by side. A worker that fails fails the checks it held; the
 * next check starts another.
 */
class ArchiveCheckWorker {
  private static current: ArchiveCheckWorker | undefined;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  static get(): ArchiveCheckWorker {
    ArchiveCheckWorker.current ??= new ArchiveCheckWorker();
    return ArchiveCheckWorker.current;
  }

  private constructor() {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { tarPath: require.resolve('tar') },
    });
    this.worker.on('message', (message: { type: string; id: number; bytes: number } & ArchiveCheckResult) => {
      const check = this.pending.get(message.id);
      if (!check) return;
      if (message.type === 'result') {
        this.pending.delete(message.id);
        check.settle({ entries: message.entries, error: message.error });
        check.resume?.();
        return;
      }
      check.untaken -= message.bytes;
      if (check.untaken <= MAX_UNTAKEN_BYTES) ArchiveCheckWorker.release(check);
    });
    const stopped = (reason: string) => {
      if (ArchiveCheckWorker.current === this) ArchiveCheckWorker.current = undefined;
      for (const check of this.pending.values()) {
        check.settle({ entries: 0, error: reason });
        ArchiveCheckWorker.release(check);
      }
      this.pending.clear();
    };
    this.worker.on('error', error => stopped(`the archive check failed: ${(error as Error).message}`));
    this.worker.on('exit', () => stopped('the archive check stopped'));
    // Last: a 'message' listener refs the worker again. Kept, it must not hold the process open.
    this.worker.unref();
  }

  open(settle: (result: ArchiveCheckResult) => void): { id: number; check: Pending } {
    const id = this.nextId++;
    const check: Pending = { untaken: 0, settle };
    this.pending.set(id, check);
    return { id, check };
  }

  async write(id: number, check: Pending, piece: Buffer): Promise<void> {
    if (!this.pending.has(id)) return;
    check.untaken += piece.length;
    // A view of part of a larger buffer is copied out, so only its own bytes cross.
    const whole = piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength;
    this.worker.postMessage({ type: 'chunk', id, data: whole ? piece : Buffer.from(piece) });
    if (check.untaken > MAX_UNTAKEN_BYTES) await new Promise<void>(resolve => (check.resume = resolve));
  }

  send(id: number, type: 'end' | 'stop') {
    if (type === 'stop') this.pending.delete(id);
    this.worker.postMessage({ type, id });
  }

  private static release(check: Pending) {
    const resume = check.resume;
    check.resume = undefined;
    resume?.();
  }
}

/**
 * Checks that a stream of bytes is a gzip-compressed tar archive, on a worker thread shared by the
 * backend's uploads: the decompression and the parse allocate a buffer per piece, and on the main
 * thread of a backend (a large heap) the collections that followed took a third of an upload's time.
 * The caller writes every piece in order and then ends the check; `write` waits while the worker is
 * behind.
 */
export class ArchiveCheck {
  private readonly worker = ArchiveCheckWorker.get();
  private readonly id: number;
  private readonly check: Pending;
  private readonly result: Promise<ArchiveCheckResult>;
  private ended = false;

  constructor() {
    let settle!: (result: ArchiveCheckResult) => void;
    this.result = new Promise(resolve => (settle = resolve));
    ({ id: this.id, check: this.check } = this.worker.open(settle));
  }

  /** Sends a piece (copied: the caller keeps using it); resolves when the worker may take more. */
  write(piece: Buffer): Promise<void> {
    return this.worker.write(this.id, this.check, piece);
  }

  /** Ends the archive and resolves with what the check found. */
  end(): Promise<ArchiveCheckResult> {
    this.ended = true;
    this.worker.send(this.id, 'end');
    return this.result;
  }

  /** Stops the check without a result (the upload failed for another reason). */
  destroy(): void {
    if (!this.ended) this.worker.send(this.id, 'stop');
  }
}
