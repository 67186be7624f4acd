import {
  FakeAgentsApi,
  makeSession,
  runId,
  sessionId,
  ENTITY_REF,
} from '@backstage-agents/plugin-agents-common/testUtils';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runAgainst } from './testing';

/** A local port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

const ID = sessionId(1);

describe('backstage-agents', () => {
  let fake: FakeAgentsApi;
  afterEach(() => fake?.assertNoViolations());

  describe('launch', () => {
    it('starts a session with the harness and template and prints it as JSON', async () => {
      fake = new FakeAgentsApi();
      const { code, stdout } = await runAgainst(fake, [
        'launch',
        ENTITY_REF,
        'Fix the flaky test',
        '--harness',
        'claude-code',
        '--template',
        'template:default/fix-bug',
        '--json',
      ]);
      expect(code).toBe(0);
      const [request] = fake.requestsOf('CreateSession');
      expect(request.body).toEqual({
        entityRef: ENTITY_REF,
        prompt: 'Fix the flaky test',
        harness: 'claude-code',
        templateRef: 'template:default/fix-bug',
      });
      expect(request.authorization).toBe('Bearer token-1');
      const printed = JSON.parse(stdout);
      expect(printed).toMatchObject({
        id: fake.sessions[0].id,
        status: 'pending',
        harness: 'claude-code',
        entityRef: ENTITY_REF,
      });
    });

    it('prints the session for people, with how to follow it, and no colour off a terminal', async () => {
      fake = new FakeAgentsApi();
      const { code, stdout } = await runAgainst(fake, [
        'launch',
        ENTITY_REF,
        'Fix it',
      ]);
      expect(code).toBe(0);
      const id = fake.sessions[0].id;
      expect(stdout).toContain(`Session ${id}  pending`);
      expect(stdout).toContain(`entity:   ${ENTITY_REF}`);
      expect(stdout).toContain(`backstage-agents logs ${id} -f`);
      expect(stdout).not.toContain('\u001b[');
    });

    it('colours on a terminal, unless NO_COLOR is set', async () => {
      fake = new FakeAgentsApi();
      const tty = await runAgainst(fake, ['launch', ENTITY_REF, 'x'], {
        tty: true,
      });
      expect(tty.stdout).toContain('\u001b[36mpending\u001b[39m');
      const noColour = await runAgainst(fake, ['launch', ENTITY_REF, 'x'], {
        tty: true,
        env: { NO_COLOR: '1' },
      });
      expect(noColour.stdout).not.toContain('\u001b[');
    });

    it('with --wait, streams the log with progress and exits with the outcome', async () => {
      fake = new FakeAgentsApi();
      fake.onStream = stream => {
        stream.open();
        stream.emit({ type: 'status', status: 'starting' });
        stream.emit({ type: 'status', status: 'running' });
        stream.lines(1, 2, runId(1));
        stream.end('failed');
      };
      const { code, stdout, stderr } = await runAgainst(fake, [
        'launch',
        ENTITY_REF,
        'Fix it',
        '--wait',
      ]);
      expect(stdout).toBe('line 1\nline 2\n');
      expect(stderr).toContain('starting: the pod is cloning the repository');
      expect(stderr).toContain(`Session ${fake.sessions[0].id} failed`);
      expect(code).toBe(1);
    });

    it('with --wait --json, prints the session and then the events, one JSON value a line', async () => {
      fake = new FakeAgentsApi();
      fake.onStream = stream => {
        stream.open();
        stream.emit({ type: 'status', status: 'pending' });
        stream.lines(1, 1, runId(1));
        stream.end('succeeded');
      };
      const { code, stdout, stderr } = await runAgainst(fake, [
        'launch',
        ENTITY_REF,
        'Fix it',
        '--wait',
        '--json',
      ]);
      const values = stdout
        .trimEnd()
        .split('\n')
        .map(l => JSON.parse(l));
      expect(values[0]).toMatchObject({
        id: fake.sessions[0].id,
        status: 'pending',
      });
      expect(values.slice(1).map(v => v.type)).toEqual([
        'status',
        'log',
        'status',
        'end',
      ]);
      expect(values[2].line.line).toBe('line 1');
      expect(stderr).toBe('');
      expect(code).toBe(0);
    });

    it("says the backend's reason for an unknown entity, and exits 3", async () => {
      fake = new FakeAgentsApi();
      fake.fail(
        'CreateSession',
        400,
        'InputError',
        'Entity component:default/nope was not found in the catalog; check the entityRef (kind:namespace/name)',
      );
      const { code, stderr, stdout } = await runAgainst(fake, [
        'launch',
        'component:default/nope',
        'x',
      ]);
      expect(code).toBe(3);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        'Error: Entity component:default/nope was not found in the catalog; check the entityRef (kind:namespace/name)\n',
      );
    });
  });

  describe('list', () => {
    it('passes the filters to the backend and prints a table', async () => {
      fake = new FakeAgentsApi(6);
      const { code, stdout } = await runAgainst(fake, [
        'list',
        '--entity',
        ENTITY_REF,
        '--status',
        'running,cancelled',
        '--mine',
        '--limit',
        '5',
      ]);
      expect(code).toBe(0);
      expect(fake.requestsOf('ListSessions')[0].query).toEqual({
        entityRef: ENTITY_REF,
        status: 'running,cancelled',
        createdBy: 'me',
        limit: 5,
      });
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^ID +STATUS +HARNESS +ENTITY +CREATED +PROMPT$/,
      );
      // Sessions 1..6 cycle through the statuses; the guest created the even ones.
      const expected = fake.sessions
        .filter(
          s =>
            s.createdBy === 'user:default/guest' &&
            ['running', 'cancelled'].includes(s.status),
        )
        .map(s => s.id);
      expect(lines.slice(1).map(l => l.split(' ')[0])).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    });

    it('prints the page as JSON', async () => {
      fake = new FakeAgentsApi(3);
      const { stdout } = await runAgainst(fake, [
        'list',
        '--json',
        '--limit',
        '2',
      ]);
      const page = JSON.parse(stdout);
      expect(page.items.map((s: { id: string }) => s.id)).toEqual([
        sessionId(3),
        sessionId(2),
      ]);
      expect(page.nextCursor).toBe(sessionId(2));
    });

    it('refuses an unknown status before asking the backend', async () => {
      fake = new FakeAgentsApi(1);
      const { code, stderr } = await runAgainst(fake, [
        'list',
        '--status',
        'done',
      ]);
      expect(code).toBe(3);
      expect(stderr).toContain('unknown status done');
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('get', () => {
    it('prints a session with its runs', async () => {
      fake = new FakeAgentsApi([
        makeSession(1, {
          status: 'succeeded',
          prUrl: 'https://github.com/o/r/pull/7',
        }),
      ]);
      const { code, stdout } = await runAgainst(fake, ['get', ID]);
      expect(code).toBe(0);
      expect(stdout).toContain(`Session ${ID}  succeeded`);
      expect(stdout).toContain('pr:       https://github.com/o/r/pull/7');
      expect(stdout).toContain('#1 initial  succeeded');
      const json = await runAgainst(fake, ['--json', 'get', ID]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        id: ID,
        runs: [{ attempt: 1 }],
      });
    });

    it('says how to find a session that does not exist', async () => {
      fake = new FakeAgentsApi();
      const { code, stderr } = await runAgainst(fake, ['get', ID]);
      expect(code).toBe(3);
      expect(stderr).toContain(`Session ${ID} not found`);
      expect(stderr).toContain('backstage-agents list');
    });
  });

  describe('logs', () => {
    it('-f continues across a dropped stream with no gap and no duplicate', async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        stream.open();
        if (fake.streams.length === 1) {
          stream.lines(1, 3);
          stream.close();
        } else {
          // A server that replays from a little earlier: the overlap is not printed again.
          stream.lines(2, 5, runId(1));
          stream.end('succeeded');
        }
      };
      const { code, stdout } = await runAgainst(fake, ['logs', ID, '-f']);
      expect(fake.streams.map(s => s.after)).toEqual([0, 3]);
      expect(stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
      expect(code).toBe(0);
    });

    it('-f --json prints one event per line', async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        stream.open();
        stream.lines(1, 1);
        stream.end('cancelled');
      };
      const { code, stdout } = await runAgainst(fake, [
        'logs',
        ID,
        '-f',
        '--json',
      ]);
      expect(
        stdout
          .trimEnd()
          .split('\n')
          .map(l => JSON.parse(l).type),
      ).toEqual(['log', 'status', 'end']);
      expect(code).toBe(2);
    });

    it("without -f prints a finished session's log and ends", async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'succeeded' })]);
      fake.onStream = stream => {
        stream.open();
        stream.lines(1, 2);
        stream.end('succeeded');
      };
      const { code, stdout } = await runAgainst(fake, ['logs', ID]);
      expect(code).toBe(0);
      expect(stdout).toBe('line 1\nline 2\n');
    });

    it("without -f prints a running session's log so far and stops", async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        stream.open();
        stream.lines(1, 2);
      };
      const { code, stdout, stderr } = await runAgainst(fake, ['logs', ID]);
      expect(code).toBe(0);
      expect(stdout).toBe('line 1\nline 2\n');
      expect(stderr).toContain(`backstage-agents logs ${ID} -f`);
      expect(fake.streams[0].closed).toBe(true);
    });
  });

  describe('wait', () => {
    it.each([
      ['succeeded', 0],
      ['failed', 1],
      ['timed_out', 1],
      ['cancelled', 2],
    ] as const)('exits for %s with %i', async (status, expected) => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      fake.onStream = stream => {
        stream.open();
        stream.lines(1, 3);
        fake.replace(makeSession(1, { status }));
        stream.end(status);
      };
      const { code, stdout } = await runAgainst(fake, ['wait', ID]);
      expect(stdout).toBe(`Session ${ID} ${status}\n`);
      expect(code).toBe(expected);
    });

    it('shows progress while the session is queued and starting', async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'pending' })]);
      fake.onStream = stream => {
        stream.open();
        stream.emit({ type: 'status', status: 'pending' });
        stream.emit({ type: 'status', status: 'starting' });
        fake.replace(makeSession(1, { status: 'succeeded' }));
        stream.end('succeeded');
      };
      const { code, stderr } = await runAgainst(fake, ['wait', ID]);
      expect(stderr).toContain('queued: waiting for a pod');
      expect(stderr).toContain('starting: the pod is cloning the repository');
      expect(code).toBe(0);
    });
  });

  describe('cancel and resume', () => {
    it('cancels a running session', async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'running' })]);
      const { code, stdout } = await runAgainst(fake, ['cancel', ID]);
      expect(code).toBe(0);
      expect(stdout).toBe(`Session ${ID} cancelled\n`);
      expect(fake.sessions[0].status).toBe('cancelled');
    });

    it("says the backend's reason when the session has finished", async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'succeeded' })]);
      const { code, stderr } = await runAgainst(fake, ['cancel', ID]);
      expect(code).toBe(3);
      expect(stderr).toContain(
        'has finished (succeeded); there is nothing to cancel',
      );
    });

    it('resumes a finished session with a follow-up prompt', async () => {
      fake = new FakeAgentsApi([makeSession(1, { status: 'succeeded' })]);
      const { code, stdout } = await runAgainst(fake, [
        'resume',
        ID,
        'Now add a test',
      ]);
      expect(code).toBe(0);
      expect(fake.requestsOf('ResumeSession')[0].body).toEqual({
        prompt: 'Now add a test',
      });
      expect(stdout).toMatch(new RegExp(`^Session ${ID} resumed: run #2 `));
    });
  });

  describe('errors say what to fix', () => {
    it('no permission (403)', async () => {
      fake = new FakeAgentsApi();
      fake.fail(
        'CreateSession',
        403,
        'NotAllowedError',
        'You may not start sessions on this entity',
      );
      const { code, stderr } = await runAgainst(fake, [
        'launch',
        ENTITY_REF,
        'x',
      ]);
      expect(code).toBe(3);
      expect(stderr).toContain(
        'Not allowed: You may not start sessions on this entity',
      );
      expect(stderr).toContain('agents.session.create');
    });

    it('a bad token (401) says how to get one', async () => {
      fake = new FakeAgentsApi();
      fake.fail('ListSessions', 401, 'AuthenticationError', 'Invalid token');
      const { code, stderr } = await runAgainst(fake, [
        'list',
        '--token',
        'expired',
      ]);
      expect(code).toBe(3);
      expect(fake.requests[0].authorization).toBe('Bearer expired');
      expect(stderr).toContain('refused the token (401 Invalid token)');
      expect(stderr).toContain('/api/auth/guest/refresh');
      expect(stderr).toContain('BACKSTAGE_TOKEN');
    });

    it('a missing token (401) says to pass one', async () => {
      fake = new FakeAgentsApi();
      fake.fail(
        'ListSessions',
        401,
        'AuthenticationError',
        'Missing credentials',
      );
      const { stderr } = await runAgainst(fake, ['list'], {
        env: { BACKSTAGE_TOKEN: undefined },
      });
      expect(fake.requests[0].authorization).toBeUndefined();
      expect(stderr).toContain('needs a token (401 Missing credentials)');
    });

    it('a backend that is not running', async () => {
      fake = new FakeAgentsApi();
      const port = await freePort();
      const { code, stderr } = await runAgainst(fake, ['list'], {
        env: { BACKSTAGE_URL: `http://127.0.0.1:${port}` },
        fetch: (...args) => globalThis.fetch(...args),
      });
      expect(code).toBe(3);
      expect(stderr).toBe(
        `Error: Cannot reach the Backstage backend at http://127.0.0.1:${port} (ECONNREFUSED): is it running? Set --backend or BACKSTAGE_URL.\n`,
      );
    });

    it('a URL that serves no agents API', async () => {
      fake = new FakeAgentsApi();
      const { code, stderr } = await runAgainst(fake, ['list'], {
        fetch: async () => new Response('Cannot GET', { status: 404 }),
      });
      expect(code).toBe(3);
      expect(stderr).toContain(
        'a Backstage backend with the agents plugin? Set --backend or BACKSTAGE_URL.',
      );
    });

    it('a backend URL that is not one', async () => {
      fake = new FakeAgentsApi();
      const { code, stderr } = await runAgainst(fake, [
        '--backend',
        'localhost:7007',
        'list',
      ]);
      expect(code).toBe(3);
      expect(stderr).toContain("'localhost:7007' is not a backend URL");
    });

    it('a usage error', async () => {
      fake = new FakeAgentsApi();
      const { code, stderr } = await runAgainst(fake, ['launch', ENTITY_REF]);
      expect(code).toBe(3);
      expect(stderr).toContain("missing required argument 'prompt'");
    });
  });
});
