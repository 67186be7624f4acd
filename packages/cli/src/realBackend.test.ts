import { TestDatabases } from '@backstage/backend-test-utils';
import {
  startRealBackend,
  REAL_BACKEND_USER,
  type RealBackend,
} from './__testUtils__/realBackend';
import { runCli, startCli } from './__testUtils__/runCli';
import { waitFor } from './__testUtils__/waitFor';

jest.setTimeout(60_000);

/**
 * The CLI in-process against the real agents backend: sessions run as pods of the cluster simulator
 * (the real harness entrypoint with the demo agent, cloning from and pushing to a fake GitHub), on
 * PostgreSQL, and the backend restarts under an open `logs -f`.
 */
describe('backstage-agents against the real backend', () => {
  const databases = TestDatabases.create({
    ids: ['POSTGRES_15'],
    disableDocker: true,
  });
  if (process.env.CI && !databases.supports('POSTGRES_15')) {
    throw new Error(
      'Set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING: the restart test needs PostgreSQL in CI',
    );
  }
  let backend: RealBackend;

  beforeAll(async () => {
    backend = await startRealBackend({ databases });
  });
  afterAll(async () => {
    await backend?.stop();
  });

  const cli = (argv: string[], token = backend.token) =>
    runCli(argv, { url: backend.url, token });
  const follow = (argv: string[]) =>
    startCli(argv, { url: backend.url, token: backend.token });
  /** Launches a session and returns its id. */
  const launch = async (prompt: string) => {
    const { code, stdout, stderr } = await cli([
      'launch',
      backend.entityRef(),
      prompt,
      '--json',
    ]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(stdout) as { id: string; createdBy: string };
  };
  const lines = (text: string) => text.split('\n').filter(Boolean);

  it('needs a token: the Authorization header the CLI sends is what the backend checks', async () => {
    const without = await runCli(['list'], { url: backend.url });
    expect(without.code).toBe(3);
    expect(without.stderr).toContain('needs a token (401');
    expect(without.requests[0].authorization).toBeNull();

    const invalid = await cli(['list'], 'mock-invalid-user-token');
    expect(invalid.code).toBe(3);
    expect(invalid.stderr).toContain('refused the token (401');
    expect(invalid.requests[0].authorization).toBe(
      'Bearer mock-invalid-user-token',
    );
  });

  it('launch, logs -f and wait exit 0 for a succeeded session, started as the token says', async () => {
    const session = await launch('Add a refund endpoint');
    expect(session.createdBy).toBe(REAL_BACKEND_USER);

    const logs = follow(['logs', session.id, '-f']);
    expect(await logs.exit).toBe(0);
    expect(logs.stdout.text).toContain(
      '[demo] Recorded turn 1 in AGENTS_DEMO.md',
    );
    expect(logs.stdout.text).toMatch(/==> Pushed agents\/\w+ at \w+/);
    expect(logs.stderr.text).toContain(`Session ${session.id} succeeded`);
    expect(new Set(logs.requests.map(r => r.authorization))).toEqual(
      new Set([`Bearer ${backend.token}`]),
    );

    const wait = await cli(['wait', session.id]);
    expect(wait.code).toBe(0);
    expect(wait.stdout).toContain(`Session ${session.id} succeeded`);

    // The backend knows the caller by the token alone: another user's is not "mine".
    const mine = await cli(['list', '--mine', '--json']);
    expect(JSON.parse(mine.stdout).items.map((s: any) => s.id)).toContain(
      session.id,
    );
    const bob = await cli(
      ['list', '--mine', '--json'],
      backend.tokenFor('user:default/bob'),
    );
    expect(bob.code).toBe(0);
    expect(JSON.parse(bob.stdout).items).toEqual([]);
  });

  it('logs -f and wait exit 1 for a failed session', async () => {
    const { id } = await launch('Break it [stub:fail]');
    const logs = follow(['logs', id, '-f']);
    expect(await logs.exit).toBe(1);
    expect(logs.stdout.text).toContain(
      'The prompt asked the demo agent to fail',
    );
    expect(logs.stderr.text).toContain(`Session ${id} failed`);
    const wait = await cli(['wait', id]);
    expect(wait.code).toBe(1);
    expect(wait.stdout).toContain(`Session ${id} failed`);
  });

  it('logs -f and wait exit 2 for a session cancelled while they follow it', async () => {
    const { id } = await launch('Take your time [stub:slow]');
    const logs = follow(['logs', id, '-f']);
    const wait = follow(['wait', id]);
    await waitFor(
      'the agent to work',
      async () =>
        logs.stdout.text.includes('Working slowly until stopped') || undefined,
    );
    expect(wait.stderr.text).toContain('… running');

    const cancel = await cli(['cancel', id]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`Session ${id} cancelled`);
    expect(await wait.exit).toBe(2);
    expect(wait.stdout.text).toContain(`Session ${id} cancelled`);
    expect(await logs.exit).toBe(2);
    expect(logs.stderr.text).toContain(`Session ${id} cancelled`);
  });

  it('launch --wait exits with the outcome: 0 succeeded, 1 failed', async () => {
    const [succeeded, failed] = await Promise.all([
      cli(['launch', backend.entityRef(), 'Add a changelog', '--wait']),
      cli(['launch', backend.entityRef(), 'Fail [stub:fail]', '--wait']),
    ]);
    expect(succeeded.code).toBe(0);
    expect(succeeded.stdout).toContain('[demo] Recorded turn 1');
    expect(succeeded.stderr).toMatch(/Session [\w-]+ succeeded/);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/Session [\w-]+ failed/);
  });

  it('logs -f follows across a restart of the backend: every line once, in order, then the outcome', async () => {
    const total = 100;
    const { id } = await launch(`Count slowly [stub:lines=${total}]`);
    const logs = follow(['logs', id, '-f']);
    const progress = () =>
      lines(logs.stdout.text).filter(l => l.includes('Progress line'));
    await waitFor(
      'the first progress lines',
      async () => progress().length >= 10 || undefined,
    );
    const instances = backend.instances;
    await backend.restart();
    expect(backend.instances).toBe(instances + 1);

    expect(await logs.exit).toBe(0);
    expect(logs.stderr.text).toContain(`Session ${id} succeeded`);
    expect(progress()).toEqual(
      Array.from(
        { length: total },
        (_, i) => `[demo] Progress line ${i + 1} of ${total}`,
      ),
    );

    // The restart was mid-stream: progress lines arrived before the old instance went and after the
    // new one came, and the CLI reconnected after the last line it had.
    const { stoppedAt, startedAt } = backend.lastRestart!;
    const written = (from: number, to: number) =>
      logs.stdout.writes
        .filter(w => w.at >= from && w.at < to)
        .filter(w => w.text.includes('Progress line')).length;
    expect(written(0, stoppedAt)).toBeGreaterThan(0);
    expect(written(startedAt, Infinity)).toBeGreaterThan(0);
    const streams = logs.requests.filter(r => r.url.includes('/logs'));
    const afterOf = (r: { url: string }) =>
      Number(new URL(r.url).searchParams.get('after'));
    expect(afterOf(streams[0])).toBe(0);
    const reconnect = streams.find(r => r.at >= startedAt);
    expect(reconnect).toBeDefined();
    expect(afterOf(reconnect!)).toBeGreaterThan(0);

    // Nothing lost, nothing twice: the followed output is the session's whole log.
    const whole = await cli(['logs', id]);
    expect(whole.code).toBe(0);
    expect(logs.stdout.text).toBe(whole.stdout);
  });
});
