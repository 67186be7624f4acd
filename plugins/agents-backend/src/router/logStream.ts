import type { Request as ExpressRequest, Response } from 'express';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  isTerminalStatus,
  type LogLine,
} from '@backstage-agents/plugin-agents-common';
import type { LogChunkStore, LogState } from '../database/LogChunkStore';
import type { SessionStore } from '../database/SessionStore';
import type { SessionEvent, SessionEventHub } from '../events/SessionEventHub';
import { SessionLogPoller } from '../logs/SessionLogPoller';

type Request = ExpressRequest<any, any, any, any>;

export interface LogStreamOptions {
  sessions: Pick<SessionStore, 'getSession'>;
  logChunks: Pick<LogChunkStore, 'readLogLines' | 'readLogState'>;
  hub: SessionEventHub;
  logger: LoggerService;
  /** How often to look in the database for lines and status changes made on other replicas. */
  pollIntervalMs: number;
  /** How often to send a comment so proxies keep an idle stream open. */
  heartbeatMs: number;
}

const PAGE = 1000;

/**
 * How much a viewer's socket may hold unsent before it counts as slow and stops taking live lines.
 * Not `res.write`'s false (the socket's 16 KiB high-water mark), which one busy batch exceeds for a
 * fast viewer too. Live batches are Buffers shared by every viewer, so what a viewer holds is
 * mostly references to the same few batches.
 */
const MAX_UNSENT_BYTES = 1024 ** 2;

const rendered = new WeakMap<LogLine[], Buffer>();

/**
 * The SSE frames of consecutive lines, rendered and encoded once per batch whatever the number of
 * viewers: every socket is given the same Buffer (a string would be encoded again for each one).
 */
function renderFrames(lines: LogLine[]): Buffer {
  let frames = rendered.get(lines);
  if (frames === undefined) {
    frames = Buffer.from(
      lines.map(line => `id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`).join(''),
    );
    rendered.set(lines, frames);
  }
  return frames;
}

/** The periodic checks of this backend's streams, shared per session (options are made per request). */
const pollers = new WeakMap<SessionEventHub, SessionLogPoller>();

function pollerFor(options: LogStreamOptions): SessionLogPoller {
  let poller = pollers.get(options.hub);
  if (!poller) {
    poller = new SessionLogPoller(options.logChunks, options.pollIntervalMs, options.logger);
    pollers.set(options.hub, poller);
  }
  return poller;
}

/** Reads the resume cursor from `?after=` or, for a reconnecting EventSource, `Last-Event-ID`. */
export function readCursor(req: Request): number {
  const raw = (req.query.after as string | undefined) ?? req.header('last-event-id') ?? '0';
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InputError(
      `Malformed log cursor '${raw}': pass the seq of the last line received (0 for the whole log)`,
    );
  }
  return value;
}

/**
 * Serves one viewer's Server-Sent Events stream: every persisted line after the cursor, then live
 * ones, in seq order with no gap or duplicate. Live lines come from the hub; when one arrives ahead of
 * what was sent (a gap), the missing lines are read from the database first. A periodic database
 * check, one per session for all its viewers here, covers writers on other replicas and ends the
 * stream once a finished session is drained.
 */
export async function streamSessionLog(
  req: Request,
  res: Response,
  sessionId: string,
  after: number,
  options: LogStreamOptions,
): Promise<void> {
  const { sessions, logChunks, hub, logger } = options;
  let sent = after;
  let closed = false;
  // A viewer slower than the log (more than MAX_UNSENT_BYTES waiting in its socket) stops taking
  // live lines until the socket drains, then catches up from the database: memory per viewer stays
  // bounded whatever the log's rate.
  let lagging = false;
  let chain = Promise.resolve();

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders?.();
  res.write('retry: 2000\n\n');

  // One write per batch: with many viewers and fast logs, per-line writes dominate the cost. A batch
  // that follows on from what was sent is rendered once and shared by every viewer. Lines that would
  // leave a gap are not written: whoever holds them catches up from the database first.
  const writeLines = (lines: LogLine[]) => {
    if (lines.length === 0) return;
    const unsent = lines[0].seq === sent + 1 ? lines : lines.filter(line => line.seq > sent);
    if (unsent.length === 0 || unsent[0].seq !== sent + 1) return;
    res.write(renderFrames(unsent));
    if (res.writableLength > MAX_UNSENT_BYTES) lagging = true;
    sent = unsent[unsent.length - 1].seq;
  };

  // Sends persisted lines after `sent`, up to `upTo`, page by page until the store says none are left.
  const catchUp = async (upTo = Number.MAX_SAFE_INTEGER) => {
    while (!closed && !lagging && sent < upTo) {
      const page = await logChunks.readLogLines(sessionId, sent, Math.min(PAGE, upTo - sent));
      writeLines(page.lines);
      if (!page.hasMore || page.lines.length === 0) return;
    }
  };

  // Runs one step at a time so replay, live lines and polls never interleave.
  const enqueue = (step: () => Promise<void> | void) => {
    chain = chain.then(step).catch(error => {
      logger.warn(`Log stream of session ${sessionId} failed: ${error}`);
      close();
    });
  };

  let lastStatus: string | undefined;
  const writeStatus = (status: string) => {
    if (closed || status === lastStatus) return;
    lastStatus = status;
    res.write(`event: status\ndata: ${JSON.stringify({ status })}\n\n`);
  };
  // `updated` events (a pull request) are not part of the log: views hear of them by signal.
  const onEvent = (event: SessionEvent) => {
    if (event.type === 'status') enqueue(() => writeStatus(event.session.status));
    if (event.type !== 'lines') return;
    enqueue(async () => {
      if (closed || lagging) return;
      const first = event.lines[0]?.seq ?? 0;
      if (first > sent + 1) await catchUp(first - 1);
      writeLines(event.lines);
    });
  };

  // Lines persisted up to `state.lastSeq` and not heard of (another replica wrote them) are read;
  // a finished session's stream ends once drained.
  const check = async (state: (Pick<LogState, 'status'> & { lastSeq?: number }) | undefined) => {
    if (closed) return;
    if (!state) {
      close();
      return;
    }
    if (state.lastSeq === undefined || sent < state.lastSeq) await catchUp(state.lastSeq);
    enqueue(() => writeStatus(state.status));
    if (isTerminalStatus(state.status)) {
      await catchUp();
      // After the status event queued above. A viewer whose socket filled up has not had every
      // line yet: the drain catches it up and a later check ends the stream.
      enqueue(() => {
        if (closed || lagging) return;
        res.write(`event: end\ndata: ${JSON.stringify({ status: state.status, lastSeq: sent })}\n\n`);
        close();
      });
    }
  };

  res.on('drain', () => {
    if (!lagging) return;
    lagging = false;
    enqueue(() => catchUp());
  });
  const unsubscribe = hub.subscribe(sessionId, onEvent);
  const stopChecking = pollerFor(options).watch(sessionId, state => enqueue(() => check(state)));
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), options.heartbeatMs);

  function close() {
    if (closed) return;
    closed = true;
    unsubscribe();
    stopChecking();
    clearInterval(heartbeat);
    res.end();
  }

  req.on('close', close);
  // The first check is this viewer's own: all it missed, then the session's status.
  enqueue(async () => {
    await catchUp();
    await check(await sessions.getSession(sessionId));
  });
  await chain;
}
