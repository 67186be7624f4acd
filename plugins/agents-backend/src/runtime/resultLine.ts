import type { HarnessResult, TokenUsage } from '@backstage-agents/plugin-agents-common';
import { RESULT_PREFIX } from './labels';

/** A token count as the result line may carry it: a non-negative safe integer. */
function isTokenCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** The line's `usage`, when it is well formed; a malformed one is left out, never failing the run. */
function parseUsage(value: unknown): TokenUsage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { inputTokens, outputTokens } = value as Record<string, unknown>;
  if (!isTokenCount(inputTokens) || !isTokenCount(outputTokens)) return undefined;
  return { inputTokens, outputTokens };
}

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
      usage: parseUsage(value.usage),
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
