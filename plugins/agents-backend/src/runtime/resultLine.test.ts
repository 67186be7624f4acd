import { parseResultLine } from './resultLine';

const line = (value: unknown) => `AGENTS_RESULT ${JSON.stringify(value)}`;

describe('parseResultLine', () => {
  it('reads the fields of a result line, and leaves other lines alone', () => {
    expect(
      parseResultLine(
        line({
          status: 'succeeded',
          headCommit: 'abc123',
          filesChanged: 3,
          pushed: true,
          harnessSessionId: 'ses_1',
          bundle: { digest: 'sha256:x', sizeBytes: 1 },
          summary: 'Done',
        }),
      ),
    ).toEqual({
      status: 'succeeded',
      headCommit: 'abc123',
      filesChanged: 3,
      pushed: true,
      harnessSessionId: 'ses_1',
      summary: 'Done',
    });
    expect(parseResultLine('AGENTS_RESULTS {"status":"succeeded"}')).toBeUndefined();
    expect(parseResultLine('AGENTS_RESULT {"status":"done"}')).toBeUndefined();
    expect(parseResultLine('AGENTS_RESULT {not json')).toBeUndefined();
  });

  it('reads the tokens the harness reports', () => {
    const result = parseResultLine(
      line({ status: 'failed', usage: { inputTokens: 12_345, outputTokens: 0 } }),
    );
    expect(result).toEqual({ status: 'failed', usage: { inputTokens: 12_345, outputTokens: 0 } });
  });

  it('keeps only the token counts of a usage, whatever else it carries', () => {
    const result = parseResultLine(
      line({
        status: 'succeeded',
        usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 5, costUsd: 99 },
      }),
    );
    expect(result?.usage).toEqual({ inputTokens: 10, outputTokens: 20 });
  });

  it('reads a line without usage as before', () => {
    const result = parseResultLine(line({ status: 'succeeded', summary: 'ok' }));
    expect(result).toEqual({ status: 'succeeded', summary: 'ok' });
    expect(result && 'usage' in result && result.usage !== undefined).toBe(false);
  });

  it.each([
    ['a string', 'lots'],
    ['null', null],
    ['an array', [1, 2]],
    ['a missing count', { inputTokens: 10 }],
    ['a negative count', { inputTokens: -1, outputTokens: 2 }],
    ['a fraction', { inputTokens: 1.5, outputTokens: 2 }],
    ['a count as a string', { inputTokens: '10', outputTokens: 2 }],
    ['a count beyond a safe integer', { inputTokens: 2 ** 53, outputTokens: 2 }],
  ])('ignores a usage that is %s, and keeps the rest of the result', (_what, usage) => {
    const result = parseResultLine(line({ status: 'succeeded', pushed: true, usage }));
    expect(result).toMatchObject({ status: 'succeeded', pushed: true });
    expect(result?.usage).toBeUndefined();
  });
});
