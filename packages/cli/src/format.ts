import type {
  AgentsSession,
  AgentsSessionStatus,
  AgentsSessionWithRuns,
} from '@backstage-agents/plugin-agents-common';
import type { Output } from './output';

/** A status, coloured by what it means. */
export function formatStatus(out: Output, status: AgentsSessionStatus): string {
  switch (status) {
    case 'succeeded':
      return out.green(status);
    case 'failed':
    case 'timed_out':
      return out.red(status);
    case 'cancelled':
      return out.yellow(status);
    default:
      return out.cyan(status);
  }
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The sessions as a table: id, status, harness, entity, created, prompt. */
export function formatSessionTable(
  out: Output,
  sessions: AgentsSession[],
): string[] {
  if (sessions.length === 0) return ['No sessions.'];
  const rows = sessions.map(s => [
    s.id,
    s.status,
    s.harness,
    s.entityRef,
    s.createdAt.replace(/\.\d+Z$/, 'Z'),
    oneLine(s.prompt, 60),
  ]);
  const header = ['ID', 'STATUS', 'HARNESS', 'ENTITY', 'CREATED', 'PROMPT'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const pad = (cells: string[], paint: (i: number, c: string) => string) =>
    cells
      .map((c, i) =>
        i === cells.length - 1 ? paint(i, c) : paint(i, c.padEnd(widths[i])),
      )
      .join('  ')
      .trimEnd();
  return [
    pad(header, (_, c) => out.bold(c)),
    ...rows.map((r, row) =>
      pad(r, (i, c) =>
        i === 1 ? c.replace(r[1], formatStatus(out, sessions[row].status)) : c,
      ),
    ),
  ];
}

/** A session with its runs, as `get` and `launch` print it. */
export function formatSession(
  out: Output,
  session: AgentsSessionWithRuns,
): string[] {
  const field = (name: string, value: string | undefined) =>
    value === undefined ? [] : [`${out.dim(`${name}:`.padEnd(10))}${value}`];
  const usage = session.usage
    ? `${session.usage.inputTokens} in / ${session.usage.outputTokens} out${
        session.usage.costUsd !== undefined
          ? ` ($${session.usage.costUsd.toFixed(4)})`
          : ''
      }`
    : undefined;
  return [
    `${out.bold(`Session ${session.id}`)}  ${formatStatus(
      out,
      session.status,
    )}`,
    ...field('entity', session.entityRef),
    ...field('harness', session.harness),
    ...field('repo', session.repoUrl),
    ...field('branch', session.workBranch),
    ...field('pr', session.prUrl),
    ...field('created', `${session.createdAt} by ${session.createdBy}`),
    ...field('finished', session.finishedAt),
    ...field('summary', session.summary && oneLine(session.summary, 200)),
    ...field('usage', usage),
    ...field('prompt', oneLine(session.prompt, 200)),
    ...(session.runs.length > 0 ? [out.dim('runs:')] : []),
    ...session.runs.map(
      r =>
        `  #${r.attempt} ${r.kind.padEnd(8)} ${formatStatus(out, r.phase)}${
          r.finishedAt ? out.dim(` finished ${r.finishedAt}`) : ''
        }`,
    ),
  ];
}
