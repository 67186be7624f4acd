import { parseEntityRef } from '@backstage/catalog-model';
import type {
  AgentsHarnessName,
  AgentsSessionStatus,
  AgentsUsage,
} from '../api/types';

/** The first non-empty line of a prompt, shortened for tables and headers. */
export function firstLine(text: string, max = 120): string {
  const line =
    text
      .split(/\r?\n/)
      .map(l => l.trim())
      .find(l => l.length > 0) ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

const HARNESS_LABELS: Record<AgentsHarnessName, string> = {
  opencode: 'OpenCode',
  'claude-code': 'Claude Code',
  codex: 'Codex CLI',
  demo: 'Demo (development stand-in)',
};

/** A harness's display name; `demo` says it is a development stand-in. */
export function harnessLabel(harness: string): string {
  return HARNESS_LABELS[harness as AgentsHarnessName] ?? harness;
}

/** A harness's name for narrow places such as table cells; `demo` still says what it is. */
export function harnessShortLabel(harness: string): string {
  return harness === 'demo' ? 'Demo (dev stand-in)' : harnessLabel(harness);
}

const STATUS_LABELS: Record<AgentsSessionStatus, string> = {
  pending: 'queued',
  starting: 'starting',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  timed_out: 'timed out',
};

/** How a status reads in the UI: `pending` is "queued". */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status as AgentsSessionStatus] ?? status;
}

/** A user or group ref without the default parts: `user:default/jane` → `jane`. */
export function shortRef(ref: string | undefined): string {
  if (!ref) return '';
  try {
    const { kind, namespace, name } = parseEntityRef(ref, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
    const ns = namespace === 'default' ? '' : `${namespace}/`;
    return kind.toLocaleLowerCase('en-US') === 'user'
      ? `${ns}${name}`
      : `${kind.toLocaleLowerCase('en-US')}:${ns}${name}`;
  } catch {
    return ref;
  }
}

/** Just the name of a user ref, for narrow places: `user:development/guest` → `guest`. */
export function userName(ref: string | undefined): string {
  if (!ref) return '';
  try {
    return parseEntityRef(ref, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    }).name;
  } catch {
    return ref;
  }
}

/** `1h 02m`, `3m 05s`, `12s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${pad(m)}m`;
  if (m > 0) return `${m}m ${pad(sec)}s`;
  return `${sec}s`;
}

/** How long something ran: from its start (or creation) to its end, or to now while unfinished. */
export function durationOf(
  item: { createdAt: string; startedAt?: string; finishedAt?: string },
  now = Date.now(),
): string {
  const start = Date.parse(item.startedAt ?? item.createdAt);
  const end = item.finishedAt ? Date.parse(item.finishedAt) : now;
  if (Number.isNaN(start) || Number.isNaN(end)) return '';
  return formatDuration(end - start);
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `5 minutes ago`, `yesterday`. */
export function formatRelative(
  iso: string | undefined,
  now = Date.now(),
): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, 'second');
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600)
    return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 26 * 86400)
    return relative.format(Math.round(seconds / 86400), 'day');
  return new Date(t).toLocaleDateString();
}

/** A full local date and time, for tooltips and details. */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** `1.5 MB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** `30 minutes`, `1 hour 30 minutes`. */
export function formatTimeout(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [
    h ? `${h} hour${h === 1 ? '' : 's'}` : '',
    m ? `${m} minute${m === 1 ? '' : 's'}` : '',
    s ? `${s} second${s === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return parts.join(' ') || '0 seconds';
}

/** The server's own message of a failed request (a `ResponseError`), else the error's message. */
export function errorMessage(error: unknown): string {
  const e = error as {
    body?: { error?: { message?: string } };
    message?: string;
  };
  return e?.body?.error?.message || e?.message || String(error);
}

/** The HTTP status of a failed request, when it was one. */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A web link for a repository URL, when it is one (`https://…`, not `file://…`). */
export function repoWebUrl(repoUrl: string): string | undefined {
  return /^https?:\/\//.test(repoUrl)
    ? repoUrl.replace(/\.git$/, '')
    : undefined;
}

const TOKEN_UNITS: Array<[size: number, suffix: string]> = [
  [1e3, 'k'],
  [1e6, 'M'],
  [1e9, 'B'],
];

/** A token count for narrow places: `950`, `12.3k`, `456k`, `1.2M`. */
export function formatTokens(count: number): string {
  if (!Number.isFinite(count) || count < 0) return '';
  if (count < 1000) return String(Math.round(count));
  for (let i = 0; i < TOKEN_UNITS.length; i++) {
    const [size, suffix] = TOKEN_UNITS[i];
    const value = count / size;
    const shown = value < 100 ? Math.round(value * 10) / 10 : Math.round(value);
    // 999,999 is `1M`, not `1000k`.
    if (shown < 1000 || i === TOKEN_UNITS.length - 1)
      return `${shown}${suffix}`;
  }
  return String(count);
}

/** An amount of US dollars to the cent: `$0.05`, `$12.30`; below a cent `<$0.01`. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount) || amount < 0) return '';
  if (amount === 0) return '$0';
  if (amount < 0.01) return '<$0.01';
  return `$${amount.toLocaleString('en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })}`;
}

/** Usage in one short line: `12.3k in · 4.1k out · $0.05` (the cost only when known). */
export function formatUsage(usage: AgentsUsage | undefined): string {
  if (!usage) return '';
  const parts = [
    `${formatTokens(usage.inputTokens)} in`,
    `${formatTokens(usage.outputTokens)} out`,
  ];
  if (usage.costUsd !== undefined) parts.push(formatUsd(usage.costUsd));
  return parts.join(' · ');
}

/** Usage in full, for tooltips: `12,345 input tokens · 4,100 output tokens · $0.051234`. */
export function describeUsage(usage: AgentsUsage | undefined): string {
  if (!usage) return '';
  const count = (n: number, what: string) =>
    `${n.toLocaleString('en-US')} ${what} token${n === 1 ? '' : 's'}`;
  const parts = [
    count(usage.inputTokens, 'input'),
    count(usage.outputTokens, 'output'),
  ];
  if (usage.costUsd !== undefined) {
    parts.push(
      `$${usage.costUsd.toLocaleString('en-US', {
        minimumFractionDigits: 2,
        maximumFractionDigits: 6,
      })}`,
    );
  }
  return parts.join(' · ');
}
