import { execFile } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import {
  FakeAgentsApi,
  makeSession,
  runId,
  sessionId,
} from '@backstage-agents/plugin-agents-common/testUtils';

const BIN = resolvePath(__dirname, '../bin/backstage-agents');
const ID = sessionId(1);

/** Runs the real binary in a child process, as a user would. */
function runBin(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: number }).code ?? 1 : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
  });
}

describe('the backstage-agents binary', () => {
  let fake: FakeAgentsApi;
  beforeEach(async () => {
    fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
    await fake.listen();
  });
  afterEach(async () => {
    await fake.close();
    fake.assertNoViolations();
  });

  it('follows a log over HTTP across a dropped connection and exits with the outcome', async () => {
    fake.onStream = stream => {
      stream.open();
      if (fake.streams.length === 1) {
        stream.lines(1, 3);
        stream.close();
      } else {
        stream.lines(4, 5, runId(1));
        stream.end('cancelled');
      }
    };
    const backend = (await fake.discoveryApi.getBaseUrl('agents')).replace(
      /\/api\/agents$/,
      '',
    );
    const { code, stdout, stderr } = await runBin(['logs', ID, '-f'], {
      BACKSTAGE_URL: backend,
      BACKSTAGE_TOKEN: 'token-1',
    });
    expect(stderr).toContain(`Session ${ID} cancelled`);
    expect(stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect(fake.streams.map(s => s.after)).toEqual([0, 3]);
    expect(fake.requests.every(r => r.authorization === 'Bearer token-1')).toBe(
      true,
    );
    expect(code).toBe(2);
  }, 60_000);
});
