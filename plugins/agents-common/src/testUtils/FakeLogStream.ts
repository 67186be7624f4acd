import type {
  AgentsLogStreamEvent,
  AgentsSessionStatus,
} from '../client/types';
import type { AgentsApiSpec } from './agentsApiSpec';

const encoder = new TextEncoder();

/** The Server-Sent Events frame the agents backend writes for an event. */
function frame(event: AgentsLogStreamEvent): string {
  switch (event.type) {
    case 'log':
      return `id: ${event.line.seq}\nevent: log\ndata: ${JSON.stringify(
        event.line,
      )}\n\n`;
    case 'status':
      return `event: status\ndata: ${JSON.stringify({
        status: event.status,
      })}\n\n`;
    default:
      return `event: end\ndata: ${JSON.stringify({
        status: event.status,
        lastSeq: event.lastSeq,
      })}\n\n`;
  }
}

/**
 * One request for a session's log (`GET /sessions/{id}/logs`), answered as the test says: `open()`
 * sends the response, `emit()` and `lines()` send events (each checked against the document's
 * schemas), `close()` drops the connection, `refuse()` answers an error instead.
 *
 * @public
 */
export class FakeLogStream {
  /** The cursor the client sent: `after`, or else `Last-Event-ID`; 0 without either. */
  readonly after: number;
  /** Whether the response was sent. */
  opened = false;
  /** Whether the connection ended, by either side. */
  closed = false;

  private lastSeq: number;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly body: ReadableStream<Uint8Array>;
  private respond!: (response: Response) => void;
  /** The answer to the request, once the test gave it. */
  readonly response: Promise<Response>;

  constructor(
    readonly sessionId: string,
    after: number,
    /** The run `lines()` attributes lines to unless told: the session's latest. */
    private readonly latestRunId: string | undefined,
    private readonly spec: AgentsApiSpec,
    private readonly errorResponse: (
      status: number,
      name: string,
      message: string,
    ) => Response,
  ) {
    this.after = after;
    this.lastSeq = after;
    this.response = new Promise(resolve => {
      this.respond = resolve;
    });
    this.body = new ReadableStream<Uint8Array>({
      start: controller => {
        this.controller = controller;
      },
      // The client went away (it aborted, or stopped reading).
      cancel: () => {
        this.closed = true;
      },
    });
  }

  /** Sends the response: the client's stream is open. */
  open(): void {
    if (this.opened || this.closed) return;
    this.opened = true;
    this.respond(
      new Response(this.body, {
        status: 200,
        headers: { 'Content-Type': 'text/event-stream; charset=utf-8' },
      }),
    );
  }

  /** Sends one event; throws when its data is not what the OpenAPI document says. */
  emit(event: AgentsLogStreamEvent): void {
    this.write([event]);
  }

  /** Sends log lines `from`..`to` of a run, as one chunk; each says `line <seq>`. */
  lines(from: number, to: number, runId = this.latestRunId): void {
    if (!runId)
      throw new Error(`Session ${this.sessionId} has no run: pass the run id`);
    const events: AgentsLogStreamEvent[] = [];
    for (let seq = from; seq <= to; seq++) {
      events.push({
        type: 'log',
        line: {
          seq,
          runId,
          timestamp: '2026-01-01T00:00:00.000Z',
          line: `line ${seq}`,
        },
      });
    }
    this.write(events);
  }

  /** Ends the log of a finished session as the backend does: `status`, then `end`, then closes. */
  end(status: AgentsSessionStatus): void {
    this.write([
      { type: 'status', status },
      { type: 'end', status, lastSeq: this.lastSeq },
    ]);
    this.close();
  }

  /** Drops the connection (sending the response first when it was not sent yet). */
  close(): void {
    if (this.closed) return;
    this.open();
    this.closed = true;
    this.controller.close();
  }

  /** Answers the request with an error instead of a stream. */
  refuse(status: number, name: string, message: string): void {
    if (this.opened) throw new Error('The log stream was already opened');
    this.opened = true;
    this.closed = true;
    this.respond(this.errorResponse(status, name, message));
  }

  private write(events: AgentsLogStreamEvent[]) {
    for (const event of events) {
      const data =
        event.type === 'log' ? event.line : { ...event, type: undefined };
      const problem = this.spec.checkLogEvent[event.type](
        JSON.parse(JSON.stringify(data)),
      );
      if (problem) {
        throw new Error(
          `The fake's '${event.type}' event is not what the OpenAPI document says: ${problem}`,
        );
      }
      if (event.type === 'log')
        this.lastSeq = Math.max(this.lastSeq, event.line.seq);
    }
    if (this.closed) return;
    this.controller.enqueue(encoder.encode(events.map(frame).join('')));
  }
}
