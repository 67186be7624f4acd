import { sleep } from './waitFor';

/** The outcome of launching one session through the API, retries included. */
export interface Launch {
  key: string;
  /** Lines the demo agent is asked to print. */
  lines: number;
  /** The session id of the 2xx answer, if one came. */
  sessionId?: string;
  /** The last HTTP status, or 0 for a network error. */
  status: number;
  attempts: number;
  /** Replicas (base URLs) that answered 2xx. */
  answeredBy?: string;
  error?: string;
}

const RETRYABLE = (status: number) => status === 0 || status === 429 || status >= 500;

/** A client of the agents API across replicas, with a static token. */
export class AgentsClient {
  constructor(private readonly token: string) {}

  private headers(json = false): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  /**
   * POST /sessions with an idempotency key, retried on network errors, 429 and 5xx with the same key
   * until `deadline`; each retry goes to the next replica of `urls()`, as behind a load balancer.
   */
  async launch(
    urls: () => string[],
    first: number,
    body: { entityRef: string; prompt: string; harness: string },
    key: string,
    lines: number,
    deadline: number,
  ): Promise<Launch> {
    const launch: Launch = { key, lines, status: 0, attempts: 0 };
    for (let attempt = 0; ; attempt++) {
      const targets = urls();
      const url = targets[(first + attempt) % targets.length];
      launch.attempts += 1;
      try {
        const res = await fetch(`${url}/api/agents/sessions`, {
          method: 'POST',
          headers: { ...this.headers(true), 'idempotency-key': key },
          body: JSON.stringify({ ...body, idempotencyKey: key }),
          signal: AbortSignal.timeout(30_000),
        });
        launch.status = res.status;
        const text = await res.text();
        if (res.ok) {
          launch.sessionId = JSON.parse(text).id;
          launch.answeredBy = url;
          launch.error = undefined;
          return launch;
        }
        launch.error = text.slice(0, 300);
      } catch (error) {
        launch.status = 0;
        launch.error = String((error as Error)?.cause ?? error);
      }
      if (!RETRYABLE(launch.status) || Date.now() > deadline) return launch;
      await sleep(Math.min(3_000, 250 * 2 ** Math.min(attempt, 4)));
    }
  }

  /**
   * The persisted log of a finished session through `GET /sessions/{id}/logs` (Server-Sent Events,
   * which the server ends after the `end` event of a finished session): every `log` event's line.
   */
  async readLog(url: string, sessionId: string): Promise<{ lines: string[]; seqs: number[]; end?: { status: string; lastSeq: number } }> {
    const res = await fetch(`${url}/api/agents/sessions/${sessionId}/logs`, {
      headers: { ...this.headers(), accept: 'text/event-stream' },
      signal: AbortSignal.timeout(60_000),
    });
    if (!res.ok) throw new Error(`GET logs of ${sessionId}: ${res.status} ${await res.text()}`);
    const text = await res.text();
    const lines: string[] = [];
    const seqs: number[] = [];
    let end: { status: string; lastSeq: number } | undefined;
    for (const block of text.split('\n\n')) {
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      const parsed = JSON.parse(data.join('\n'));
      if (event === 'log') {
        lines.push(parsed.line);
        seqs.push(parsed.seq);
      } else if (event === 'end') {
        end = parsed;
      }
    }
    return { lines, seqs, end };
  }
}
