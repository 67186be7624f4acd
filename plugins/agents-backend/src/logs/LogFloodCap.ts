/** Log lines a run may persist per second when its policy says nothing (`logLinesPerSecond`). */
export const DEFAULT_LOG_LINES_PER_SECOND = 1000;

/** The limit holds over windows this long, so a short burst above the rate passes. */
export const LOG_LIMIT_WINDOW_SECONDS = 10;

/** The log limit of a session's stored policy snapshot; undefined (the default applies) in older ones. */
export function readLogLinesPerSecond(snapshot: Record<string, unknown>): number | undefined {
  const value = snapshot.logLinesPerSecond;
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;
}

/** What to do with one line of a pod's log: keep it or not, after a notice if one is due. */
export interface LogFloodDecision {
  keep: boolean;
  /** Says how many lines the previous window dropped: to be persisted before this line. */
  notice?: string;
}

/**
 * A policy's cap on how fast a run's log is persisted: at most `linesPerSecond` × 10 lines in each
 * 10-second window of the pod's own timestamps (not of when the backend reads them, so a log read
 * again in one go after a restart is judged as it was written). Lines beyond it are dropped and
 * counted; the next window's first line, or the end of the log, brings one notice saying how many.
 */
export class LogFloodCap {
  private window = '';
  private kept = 0;
  private dropped = 0;

  constructor(
    private readonly policyName: string,
    private readonly linesPerSecond: number,
  ) {}

  /** Decides on one line by its RFC 3339 timestamp; `always` keeps it whatever the cap (the result line). */
  admit(timestamp: string, always = false): LogFloodDecision {
    const window = windowOf(timestamp);
    let notice: string | undefined;
    if (window !== this.window) {
      notice = this.takeNotice();
      this.window = window;
      this.kept = 0;
    }
    if (always || this.kept < this.linesPerSecond * LOG_LIMIT_WINDOW_SECONDS) {
      this.kept++;
      return { keep: true, notice };
    }
    this.dropped++;
    return { keep: false, notice };
  }

  /** The notice for lines dropped and not yet told, once: at a window's end or the log's. */
  takeNotice(): string | undefined {
    if (this.dropped === 0) return undefined;
    const count = this.dropped;
    this.dropped = 0;
    const n = (value: number) => value.toLocaleString('en-US');
    return `[agents] log capped by policy "${this.policyName}": ${n(count)} ${count === 1 ? 'line' : 'lines'} dropped (limit ${n(this.linesPerSecond)} lines/s)`;
  }
}

/**
 * The 10-second window of an RFC 3339 time: its text up to the tens of seconds. A line without one
 * (never from the API server, which stamps every line) falls in the window of the time it is read.
 */
function windowOf(timestamp: string): string {
  const time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d/.test(timestamp) ? timestamp : new Date().toISOString();
  return time.slice(0, 18);
}
