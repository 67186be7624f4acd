import { useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { agentsApiRef } from '../../api/AgentsApi';
import type { AgentsSessionStatus } from '../../api/types';
import { errorStatus } from '../format';

/** Where the log stream stands. */
export type LogConnection =
  | 'connecting'
  | 'live'
  | 'reconnecting'
  | 'ended'
  | 'failed';

export type SessionLogOptions = {
  /**
   * Changing it reopens a stream that ended, from the last line received: pass something that
   * changes when the session gets a new run (its number of runs), or lines after its end (a note).
   */
  generation?: number | string;
  /** A header for the lines of a run that follows another one, e.g. "Run 2 (resume)". */
  runHeader?: (runId: string) => string | undefined;
  /** A `status` event: the session's status changed. */
  onStatus?: (status: AgentsSessionStatus) => void;
  /** The stream ended: the session finished and its log is complete. */
  onEnd?: () => void;
};

const MAX_RETRY_DELAY_MS = 15_000;

const nextFrame: (callback: () => void) => () => void =
  typeof requestAnimationFrame === 'function'
    ? callback => {
        const id = requestAnimationFrame(callback);
        return () => cancelAnimationFrame(id);
      }
    : callback => {
        const id = setTimeout(callback, 16);
        return () => clearTimeout(id);
      };

function sleep(ms: number, signal: AbortSignal) {
  return new Promise<void>(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Follows a session's log. Lines are kept once, in seq order: a reconnect asks for the lines after the
 * last seq received (`after=`) and any line at or below it is dropped, so nothing is lost or doubled.
 * Lines arriving together are appended to the text once per animation frame, so a fast log or a long
 * replay costs one render per frame rather than one per line.
 */
export function useSessionLog(
  sessionId: string,
  options: SessionLogOptions = {},
) {
  const api = useApi(agentsApiRef);
  const [text, setText] = useState('');
  const [lineCount, setLineCount] = useState(0);
  const [connection, setConnection] = useState<LogConnection>('connecting');
  const [error, setError] = useState<Error>();

  const optionsRef = useRef(options);
  optionsRef.current = options;
  const textRef = useRef('');
  const countRef = useRef(0);
  const pendingRef = useRef<string[]>([]);
  const lastSeqRef = useRef(0);
  const lastRunRef = useRef<string>();
  const cancelFrameRef = useRef<() => void>();

  // A different session starts from nothing.
  const sessionRef = useRef(sessionId);
  if (sessionRef.current !== sessionId) {
    sessionRef.current = sessionId;
    textRef.current = '';
    countRef.current = 0;
    pendingRef.current = [];
    lastSeqRef.current = 0;
    lastRunRef.current = undefined;
  }

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;

    const flush = () => {
      cancelFrameRef.current = undefined;
      const pending = pendingRef.current;
      if (pending.length === 0) return;
      pendingRef.current = [];
      const added = pending.join('\n');
      textRef.current = textRef.current
        ? `${textRef.current}\n${added}`
        : added;
      countRef.current += pending.length;
      setText(textRef.current);
      setLineCount(countRef.current);
    };
    const schedule = () => {
      if (!cancelFrameRef.current) cancelFrameRef.current = nextFrame(flush);
    };

    // Mutated by the stream's callbacks: whether the server ended the log, and the next retry delay.
    const progress = { ended: false, delay: 1000 };
    const run = async () => {
      setConnection(lastSeqRef.current === 0 ? 'connecting' : 'reconnecting');
      while (!signal.aborted) {
        try {
          await api.streamLogs(sessionId, {
            after: lastSeqRef.current,
            signal,
            onOpen: () => {
              if (signal.aborted) return;
              progress.delay = 1000;
              setError(undefined);
              setConnection('live');
            },
            onEvent: event => {
              if (signal.aborted) return;
              if (event.type === 'log') {
                const { seq, runId, line } = event.line;
                if (seq <= lastSeqRef.current) return;
                lastSeqRef.current = seq;
                if (
                  lastRunRef.current !== undefined &&
                  runId !== lastRunRef.current
                ) {
                  const header =
                    optionsRef.current.runHeader?.(runId) ?? 'Next run';
                  pendingRef.current.push(`\u001b[1m── ${header} ──\u001b[22m`);
                }
                lastRunRef.current = runId;
                pendingRef.current.push(line);
                schedule();
              } else if (event.type === 'status') {
                optionsRef.current.onStatus?.(event.status);
              } else if (event.type === 'end') {
                progress.ended = true;
              }
            },
          });
        } catch (e) {
          if (signal.aborted) return;
          setError(e as Error);
          const status = errorStatus(e);
          if (
            status !== undefined &&
            status >= 400 &&
            status < 500 &&
            status !== 408 &&
            status !== 429
          ) {
            // Refused (not found, not allowed): retrying will not help.
            setConnection('failed');
            return;
          }
        }
        if (signal.aborted) return;
        if (progress.ended) {
          cancelFrameRef.current?.();
          flush();
          setConnection('ended');
          optionsRef.current.onEnd?.();
          return;
        }
        // The connection dropped: continue after the last line received.
        setConnection('reconnecting');
        await sleep(progress.delay, signal);
        progress.delay = Math.min(progress.delay * 2, MAX_RETRY_DELAY_MS);
      }
    };
    run();
    return () => {
      controller.abort();
      cancelFrameRef.current?.();
      // Keep what arrived: the next stream continues after the last seq.
      flush();
    };
  }, [api, sessionId, options.generation]);

  return { text, lineCount, connection, error, lastSeq: lastSeqRef.current };
}
