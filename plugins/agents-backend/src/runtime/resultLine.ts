import type { HarnessResult } from '@backstage-agents/plugin-agents-common';
import { RESULT_PREFIX } from './labels';

/** Parses the harness's final `AGENTS_RESULT {json}` line; undefined for any other or a malformed one. */
export function parseResultLine(line: string): HarnessResult | undefined {
  if (!line.startsWith(`${RESULT_PREFIX} `)) return undefined;
  try {
    const value = JSON.parse(line.slice(RESULT_PREFIX.length + 1));
    if (!['succeeded', 'failed', 'interrupted'].includes(value?.status)) return undefined;
    return {
      status: value.status,
      headCommit: typeof value.headCommit === 'string' ? value.headCommit : undefined,
      filesChanged: Number.isInteger(value.filesChanged) ? value.filesChanged : undefined,
      harnessSessionId:
        typeof value.harnessSessionId === 'string' ? value.harnessSessionId : undefined,
      summary: typeof value.summary === 'string' ? value.summary.slice(0, 10_000) : undefined,
      pushed: typeof value.pushed === 'boolean' ? value.pushed : undefined,
    };
  } catch {
    return undefined;
  }
}

/** Splits a kubelet log line written with `timestamps=true` into its RFC 3339 time and text. */
export function splitTimestamp(raw: string): { timestamp: string; line: string } {
  const space = raw.indexOf(' ');
  const stamp = space > 0 ? raw.slice(0, space) : '';
  const parsed = Date.parse(stamp);
  if (Number.isNaN(parsed)) return { timestamp: new Date().toISOString(), line: raw };
  return { timestamp: new Date(parsed).toISOString(), line: raw.slice(space + 1) };
}
