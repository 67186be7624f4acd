import type { LoggerService } from '@backstage/backend-plugin-api';
import { Log, type CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import type { LogChunkStore } from '../database/LogChunkStore';
import type { TransitionStore } from '../database/TransitionStore';
import { type HarnessPrices, usageCost } from '../harnesses/harnessPrices';
import { DEFAULT_LOG_LINES_PER_SECOND, LogFloodCap } from '../logs/LogFloodCap';
import type { SessionLogs } from '../logs/SessionLogs';
import { KUBE_API_TIMEOUT_MS } from './kubeClients';
import { HARNESS_CONTAINER, runObjectName } from './labels';
import { parseResultLine, splitTimestamp } from './resultLine';

const BATCH_LINES = 500;
const BATCH_MS = 50;

/** The run whose pod log is followed. */
export interface FollowedRun {
  sessionId: string;
  runId: string;
  podName: string;
  /** The session's harness: its price, if configured, costs the run's usage. */
  harness?: string;
  /** The session's policy: its `logLinesPerSecond` caps how fast the log is persisted. */
  policy?: { name: string; logLinesPerSecond?: number };
}

/**
 * Follows one pod's log (one upstream stream, whatever the number of viewers) and persists it in
 * batches, numbered per session. On (re)start it skips the lines already persisted for the run, so a
 * follower that takes over after a restart neither loses nor repeats a line. The result line is kept
 * on the run as soon as it is read, with what its usage cost at the harness's price. A flood beyond
 * the policy's log limit is dropped with a notice (the result line is always kept); dropped lines
 * count towards where a resumed follower starts, so they are not read again as new.
 */
export class RunLogFollower {
  private readonly log: Log;

  constructor(
    private readonly deps: {
      kubeConfig: KubeConfig;
      namespace: string;
      logChunks: Pick<LogChunkStore, 'countRunLogLines'>;
      transitions: Pick<TransitionStore, 'recordRunResult'>;
      logs: SessionLogs;
      logger: LoggerService;
      /** Reads the run's Secret, so its tokens can be redacted from the log. */
      core?: CoreV1Api;
      /** `agents.harnesses.<name>.price`: the cost of a run's usage is kept with it. */
      prices?: HarnessPrices;
    },
  ) {
    this.log = new Log(deps.kubeConfig);
  }

  /**
   * Replaces the run's tokens in log lines. The harness entrypoint already redacts what it prints;
   * this also covers anything that bypasses it. Tokens are read from the run's Secret, never stored.
   */
  private async redactorFor(runId: string): Promise<(line: string) => string> {
    const secret = await this.deps.core
      ?.readNamespacedSecret({ name: runObjectName(runId), namespace: this.deps.namespace })
      .catch(() => undefined);
    const values = ['git-token', 'run-token']
      .map(key => Buffer.from(secret?.data?.[key] ?? '', 'base64').toString('utf8').trim())
      .filter(value => value.length >= 8);
    if (values.length === 0) return line => line;
    return line => values.reduce((out, value) => out.split(value).join('[redacted]'), line);
  }

  /**
   * Reads the pod's log from the first line not yet persisted for the run: live (`follow`, the
   * default) until the container ends, or, with `follow: false`, what the finished container wrote.
   * Resolves once the answer has ended and every line is persisted; rejects when the request fails,
   * the stream breaks, or `signal` aborts. A clean end is not proof of a complete log: a connection
   * cut between the API server and the kubelet ends the answer the same way.
   */
  async follow(
    run: FollowedRun,
    signal: AbortSignal,
    options: { follow?: boolean } = {},
  ): Promise<void> {
    const { logChunks, transitions, logs } = this.deps;
    let skip = await logChunks.countRunLogLines(run.runId);
    const redact = await this.redactorFor(run.runId);
    const cap = new LogFloodCap(
      run.policy?.name ?? 'default',
      run.policy?.logLinesPerSecond ?? DEFAULT_LOG_LINES_PER_SECOND,
    );
    let partial = '';
    let batch: Array<{ timestamp: string; line: string }> = [];
    // Lines of the pod's log the batch accounts for: those it holds and those dropped since the
    // last write, but not notices. Dropped lines with nothing to persist wait for the next batch.
    let batchSource = 0;
    let writes = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    // A write waits in line behind the one under way and takes the batch only when its turn comes:
    // under a fast log the batch grows while the database is busy, so the writes per second stay
    // bounded by its speed instead of falling behind at a fixed batch size.
    let writeQueued = false;

    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0 || writeQueued) return;
      writeQueued = true;
      writes = writes.then(async () => {
        writeQueued = false;
        if (batch.length === 0) return;
        const lines = batch;
        const sourceLines = batchSource;
        batch = [];
        batchSource = 0;
        await logs.append(run.sessionId, run.runId, lines, { sourceLines });
      });
    };
    const schedule = () => {
      if (batch.length >= BATCH_LINES) flush();
      else if (!timer && batch.length > 0) timer = setTimeout(flush, BATCH_MS);
    };
    const take = (raw: string) => {
      if (skip > 0) {
        skip--;
        return;
      }
      const entry = splitTimestamp(redact(raw.replace(/\r$/, '')));
      const result = parseResultLine(entry.line);
      const decision = cap.admit(entry.timestamp, result !== undefined);
      if (decision.notice) batch.push({ timestamp: entry.timestamp, line: decision.notice });
      if (!decision.keep) {
        batchSource++;
        schedule();
        return;
      }
      if (result) {
        flush();
        const price = run.harness ? this.deps.prices?.get(run.harness) : undefined;
        const costUsd = result.usage && price ? usageCost(result.usage, price) : undefined;
        writes = writes.then(() => transitions.recordRunResult(run.runId, result, { costUsd }));
      }
      batch.push(entry);
      batchSource++;
      schedule();
    };

    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const answer: { timer?: NodeJS.Timeout } = {};
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(answer.timer);
        // Defined below; this runs only after it is.
        // eslint-disable-next-line @typescript-eslint/no-use-before-define
        signal.removeEventListener('abort', onAbort);
        if (partial && !error) take(partial);
        partial = '';
        const notice = cap.takeNotice();
        if (notice) batch.push({ timestamp: new Date().toISOString(), line: notice });
        flush();
        writes.then(() => (error ? reject(error) : resolve()), reject);
      };
      const sink = new Writable({
        write(chunk, _encoding, callback) {
          // A stopped follower takes nothing more: an answer that arrives late (its pipe is set up
          // before the client hands back the means to abort it) would add lines another reader adds.
          if (settled) {
            callback();
            return;
          }
          const text = partial + chunk.toString('utf8');
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          lines.forEach(take);
          callback();
        },
        final(callback) {
          finish();
          callback();
        },
      });
      let controller: AbortController | undefined;
      const onAbort = () => {
        controller?.abort();
        finish(new Error('Log following stopped'));
      };
      if (signal.aborted) {
        finish(new Error('Log following stopped'));
        return;
      }
      signal.addEventListener('abort', onAbort);
      // The answer must start in time; a followed log's body may then last as long as the run.
      answer.timer = setTimeout(
        () => finish(new Error(`The API server did not answer the log request within ${KUBE_API_TIMEOUT_MS} ms`)),
        KUBE_API_TIMEOUT_MS,
      );
      this.log
        .log(this.deps.namespace, run.podName, HARNESS_CONTAINER, sink, {
          follow: options.follow ?? true,
          timestamps: true,
        })
        .then(c => {
          clearTimeout(answer.timer);
          controller = c;
          // Given up on (or stopped) before the answer came: close it.
          if (settled) c.abort();
        })
        .catch(finish);
      sink.on('error', finish);
      // The client pipes the response into the sink, and a pipe does not pass on the source's
      // failure: without this a reset connection would leave the follower waiting forever.
      sink.on('pipe', source => {
        source.once('error', finish);
        source.once('close', () => {
          if (!source.readableEnded) finish(new Error('The log stream closed before its end'));
        });
      });
    });
  }
}
