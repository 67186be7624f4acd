import type { FuzzAnswer } from './sendRequest';
import type { FuzzRequest } from './FuzzRequest';

type StatusClass = '2xx' | '3xx' | '4xx' | '5xx' | 'no answer';
const CLASSES: StatusClass[] = ['2xx', '3xx', '4xx', '5xx', 'no answer'];
const KEPT_CASES = 20;

export interface FuzzCase {
  request: string;
  status?: number;
  answer: string;
  rowsWritten?: Record<string, number>;
}

/**
 * What a fuzzing run found: answers by operation and status class, the server errors, and refused
 * requests that still wrote rows, with a few of each kept to reproduce them.
 */
export class FuzzReport {
  readonly byOperation = new Map<string, Record<StatusClass, number>>();
  /** By operation and variant, for `details()`. */
  readonly byVariant = new Map<string, Map<number | string, number>>();
  readonly byStatus = new Map<number, number>();
  readonly serverErrors: FuzzCase[] = [];
  readonly refusedWrites: FuzzCase[] = [];
  readonly noAnswers: FuzzCase[] = [];
  requests = 0;
  serverErrorCount = 0;
  refusedWriteCount = 0;

  constructor(readonly title: string) {}

  record(request: FuzzRequest, answer: FuzzAnswer, rowsWritten: Record<string, number>): void {
    this.requests += 1;
    const statusClass: StatusClass = answer.status === undefined ? 'no answer' : (`${Math.floor(answer.status / 100)}xx` as StatusClass);
    const counts = this.byOperation.get(request.operation) ?? { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, 'no answer': 0 };
    counts[statusClass] += 1;
    this.byOperation.set(request.operation, counts);
    if (answer.status !== undefined) this.byStatus.set(answer.status, (this.byStatus.get(answer.status) ?? 0) + 1);
    const variant = `${request.operation} [${request.variant}]`;
    const statuses = this.byVariant.get(variant) ?? new Map<number | string, number>();
    statuses.set(answer.status ?? 'none', (statuses.get(answer.status ?? 'none') ?? 0) + 1);
    this.byVariant.set(variant, statuses);

    const kept = (): FuzzCase => ({ request: describe(request), status: answer.status, answer: answer.error ?? answer.body.slice(0, 500) });
    if (statusClass === '5xx') {
      this.serverErrorCount += 1;
      if (this.serverErrors.length < KEPT_CASES) this.serverErrors.push(kept());
    }
    if (statusClass === 'no answer' && this.noAnswers.length < KEPT_CASES) this.noAnswers.push(kept());
    if (statusClass === '4xx' && Object.keys(rowsWritten).length > 0) {
      this.refusedWriteCount += 1;
      if (this.refusedWrites.length < KEPT_CASES) this.refusedWrites.push({ ...kept(), rowsWritten });
    }
  }

  total(statusClass: StatusClass): number {
    return [...this.byOperation.values()].reduce((total, counts) => total + counts[statusClass], 0);
  }

  /** A one-screen table of the figures. */
  summary(extra: string[] = []): string {
    const width = Math.max(30, ...[...this.byOperation.keys()].map(k => k.length));
    const row = (label: string, cells: Array<string | number>) =>
      `${label.padEnd(width)} ${cells.map(c => String(c).padStart(9)).join(' ')}`;
    const lines = [
      `== ${this.title} ==`,
      ...extra,
      row('operation', [...CLASSES, 'total']),
      ...[...this.byOperation.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([operation, counts]) => row(operation, [...CLASSES.map(c => counts[c]), sum(counts)])),
      row('all', [...CLASSES.map(c => this.total(c)), this.requests]),
      `statuses: ${[...this.byStatus.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join('  ')}`,
      `requests sent: ${this.requests}   5xx answers: ${this.serverErrorCount}   refused (4xx) requests that wrote rows: ${this.refusedWriteCount}   no answer: ${this.total('no answer')}`,
    ];
    return `${lines.join('\n')}\n`;
  }
}

/** The statuses each kind of input got, operation by operation: what the fuzzer reaches. */
export function details(report: FuzzReport): string {
  return `${[...report.byVariant.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([variant, statuses]) => `${variant}: ${[...statuses.entries()].map(([s, n]) => `${s}×${n}`).join('  ')}`)
    .join('\n')}\n`;
}

function sum(counts: Record<StatusClass, number>): number {
  return CLASSES.reduce((total, c) => total + counts[c], 0);
}

/** The request in one line, long values cut. */
export function describe(request: FuzzRequest): string {
  const cut = (text: string) => (text.length > 300 ? `${text.slice(0, 300)}…(${text.length} chars)` : text);
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${cut(value)}`)
    .join('; ');
  const body = request.body === undefined ? '' : ` body=${cut(typeof request.body === 'string' ? JSON.stringify(request.body) : `<${request.body.length} bytes>`)}`;
  return `${request.method} ${cut(request.path)} [${request.variant}] {${headers}}${body}`;
}
