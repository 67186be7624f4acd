import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  FakeAgentsApi,
  ENTITY_REF,
} from '@backstage-agents/plugin-agents-common/testUtils';
import type { AgentsSession } from '@backstage-agents/plugin-agents-common';
import { runAgainst, startAgainst, withCatalog } from '../testing';

const FIXTURE = readFileSync(
  join(
    dirname(
      require.resolve('@backstage-agents/plugin-agents-common/package.json'),
    ),
    'src/speckit/__fixtures__/waves-tasks.md',
  ),
  'utf8',
);
const INTEGRATION = 'specs/002-refunds/integration';

const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-service',
    namespace: 'default',
    annotations: {
      'backstage.io/source-location':
        'url:https://github.com/example-org/payments-service/tree/main/',
    },
  },
  spec: {},
};

let checkout: string;
let tasksPath: string;

/** A git clone of payments-service (its origin in the ssh form) with specs/002-refunds. */
function makeCheckout(
  tasks = FIXTURE,
  origin = 'git@github.com:example-org/payments-service.git',
) {
  checkout = mkdtempSync(join(tmpdir(), 'implement-'));
  execFileSync('git', ['init', '-q', checkout]);
  execFileSync('git', ['-C', checkout, 'remote', 'add', 'origin', origin]);
  const dir = join(checkout, 'specs', '002-refunds');
  mkdirSync(dir, { recursive: true });
  tasksPath = join(dir, 'tasks.md');
  writeFileSync(tasksPath, tasks);
  writeFileSync(
    join(dir, 'spec.md'),
    '# Refunds\n\nA customer can be refunded a captured payment.',
  );
  writeFileSync(
    join(dir, 'plan.md'),
    '# Plan\n\nA RefundService in src/refunds.',
  );
}

async function until(condition: () => boolean, what: string) {
  for (let i = 0; i < 1500 && !condition(); i++)
    await new Promise(r => setTimeout(r, 2));
  if (!condition()) throw new Error(`Timed out waiting for ${what}`);
}

const task = (fake: FakeAgentsApi, taskId: string) =>
  fake.sessions.find(s => s.origin.taskId === taskId)!;

function start(fake: FakeAgentsApi, args: string[] = [], signal?: AbortSignal) {
  fake.serveLogs();
  const catalog = withCatalog(fake, [ENTITY]);
  return startAgainst(
    fake,
    ['implement', tasksPath, '--entity', ENTITY_REF, ...args],
    {
      fetch: catalog.fetch,
      signal,
    },
  );
}

/** Waits until the CLI created the five tasks and follows each one's log. */
async function untilFollowing(fake: FakeAgentsApi) {
  await until(
    () =>
      fake.requestsOf('CreateSession').length === 6 &&
      fake.streams.filter(s => s.opened).length === 5,
    'the tasks to be created and followed',
  );
}

describe('backstage-agents implement', () => {
  let fake: FakeAgentsApi;
  beforeEach(() => makeCheckout());
  afterEach(() => {
    rmSync(checkout, { recursive: true, force: true });
    fake?.assertNoViolations();
  });

  it('creates the fan-out in waves and its tasks, last wave first, with branches and prompts', async () => {
    fake = new FakeAgentsApi();
    const { stdout, done } = start(fake, [
      '--detach',
      '--harness',
      'claude-code',
    ]);
    expect(await done).toBe(0);
    const [fanOutRequest, ...taskRequests] = fake
      .requestsOf('CreateSession')
      .map(r => r.body as any);
    expect(fanOutRequest).toMatchObject({
      entityRef: ENTITY_REF,
      kind: 'fanout',
      origin: 'speckit',
      harness: 'claude-code',
      integrationBranch: INTEGRATION,
      idempotencyKey: expect.stringMatching(
        /^speckit:002-refunds:[0-9a-f]{16}$/,
      ),
    });
    const fanOut = fake.sessions.find(s => s.kind === 'fanout')!;
    expect(taskRequests.map(b => [b.taskId, b.wave, b.workBranch])).toEqual([
      ['T005', 3, 'specs/002-refunds/T005-async'],
      ['T004', 2, 'specs/002-refunds/T004-async'],
      ['T006', 2, 'specs/002-refunds/T006-async'],
      ['T002', 1, 'specs/002-refunds/T002-async'],
      ['T003', 1, 'specs/002-refunds/T003-async'],
    ]);
    for (const body of taskRequests) {
      expect(body).toMatchObject({
        parentSessionId: fanOut.id,
        origin: 'speckit',
        harness: 'claude-code',
      });
    }
    const prompt = taskRequests[0].prompt as string;
    expect(prompt).toContain(
      'Implement task T005 of the spec-kit feature "002-refunds"',
    );
    expect(prompt).toContain(
      '- T004 (tests/contract/refunds.test.ts) is done and merged into your base branch',
    );
    expect(prompt).toContain(
      `Your base branch (${INTEGRATION}) holds the work of the earlier waves`,
    );
    expect(prompt).toContain('A customer can be refunded a captured payment.');
    expect(task(fake, 'T005').baseBranch).toBe(INTEGRATION);
    // The plan, the blocked tasks and how to follow, and nothing followed.
    expect(stdout.text).toContain(
      `Fan-out ${fanOut.id} on ${ENTITY_REF}: 002-refunds, 5 task(s) in 3 wave(s), merged into ${INTEGRATION}`,
    );
    expect(stdout.text).toContain(
      '  wave 2 (Phase 2: User Story 1 - Refund a payment (Priority: P1) 🎯 MVP): T004, T006',
    );
    expect(stdout.text).toContain(
      '  T008: waits for T007 [SYNC] (line 31), still open: do it, check it off, and run implement again',
    );
    expect(stdout.text).toContain('  T009: waits for T007 [SYNC] (line 31)');
    expect(stdout.text).toContain(
      `backstage-agents logs --fan-out ${fanOut.id} -f`,
    );
    expect(fake.requestsOf('StreamSessionLogs')).toEqual([]);
  });

  it('finds the same fan-out and tasks when run again (after a crash)', async () => {
    fake = new FakeAgentsApi();
    expect(await start(fake, ['--detach']).done).toBe(0);
    const ids = fake.sessions.map(s => s.id);
    expect(await start(fake, ['--detach']).done).toBe(0);
    expect(fake.sessions.map(s => s.id)).toEqual(ids);
  });

  it('follows every task interleaved, with the waves, a summary, and exits 0 when all succeeded', async () => {
    fake = new FakeAgentsApi();
    const { stdout, stderr, done } = start(fake);
    await untilFollowing(fake);
    fake.playTask(task(fake, 'T002').id, 'running', ['adding the migration']);
    fake.playTask(task(fake, 'T003').id, 'running', ['defining the types']);
    fake.finishTask(task(fake, 'T002').id, 'succeeded', ['migration added'], {
      prUrl: 'https://github.com/example-org/payments-service/pull/2',
    });
    fake.finishTask(task(fake, 'T003').id, 'succeeded');
    await until(
      () => stdout.text.includes('wave 2 started: T004, T006'),
      'wave 2',
    );
    fake.finishTask(task(fake, 'T004').id, 'succeeded', [
      'contract test written',
    ]);
    fake.finishTask(task(fake, 'T006').id, 'succeeded');
    await until(() => stdout.text.includes('wave 3 started: T005'), 'wave 3');
    fake.finishTask(task(fake, 'T005').id, 'succeeded', [
      'service implemented',
    ]);
    expect(await done).toBe(0);

    const out = stdout.text;
    expect(out).toContain('wave 1 running: T002, T003');
    expect(out).toContain('[T002] adding the migration\n');
    expect(out).toContain('[T003] defining the types\n');
    expect(out).toContain('[T005] service implemented\n');
    const order = [
      '[T002] migration added',
      `wave 1 merged into ${INTEGRATION}`,
      'wave 2 started: T004, T006',
      '[T004] contract test written',
      `wave 2 merged into ${INTEGRATION}`,
      'wave 3 started: T005',
      '[T005] service implemented',
      `wave 3 merged into ${INTEGRATION}`,
      'succeeded: 0 running, 5 succeeded, 0 failed, 0 waiting',
    ].map(text => out.indexOf(text));
    expect(out).not.toContain('wave 4');
    expect(order.every(i => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out).toMatch(
      /T002 +wave 1 +succeeded +specs\/002-refunds\/T002-async +https:\/\/github.com\/example-org\/payments-service\/pull\/2/,
    );
    expect(out).toContain(`Integration branch: ${INTEGRATION}`);
    // Off a terminal the summary is a line on each change.
    expect(stderr.text).toContain(
      '… 2 running, 0 succeeded, 0 failed, 3 waiting\n',
    );
    expect(stderr.text).toContain(
      '… 0 running, 5 succeeded, 0 failed, 0 waiting\n',
    );
    expect(stderr.text).toContain('[T002] … running');
  });

  it('on a terminal, keeps the summary on a status line that the log lines go above', async () => {
    fake = new FakeAgentsApi();
    fake.serveLogs();
    const catalog = withCatalog(fake, [ENTITY]);
    const { stderr, done } = startAgainst(
      fake,
      ['implement', tasksPath, '--entity', ENTITY_REF],
      {
        fetch: catalog.fetch,
        tty: true,
        env: { NO_COLOR: '1' },
      },
    );
    await untilFollowing(fake);
    fake.finishTask(task(fake, 'T002').id, 'failed', ['tests fail']);
    fake.finishTask(task(fake, 'T003').id, 'succeeded');
    expect(await done).toBe(1);
    expect(stderr.text).toContain(
      '\r\u001b[K… 2 running, 0 succeeded, 0 failed, 3 waiting',
    );
    expect(stderr.text).not.toContain('waiting\n');
  });

  it('reports the wave error and exits 1 when a task fails: the later waves are cancelled', async () => {
    fake = new FakeAgentsApi();
    const { stdout, done } = start(fake);
    await untilFollowing(fake);
    fake.finishTask(task(fake, 'T002').id, 'failed', ['tests fail']);
    fake.finishTask(task(fake, 'T003').id, 'succeeded');
    expect(await done).toBe(1);
    expect(stdout.text).toContain('[T002] tests fail');
    expect(stdout.text).toContain(
      'wave 1 stopped: Wave 1 ended with T002 failed: the later waves were not started',
    );
    expect(stdout.text).toMatch(/T005 +wave 3 +cancelled/);
    expect(stdout.text).toContain('Wave error: Wave 1 ended with T002 failed');
    expect(stdout.text).toContain(
      '0 running, 1 succeeded, 1 failed, 3 cancelled, 0 waiting',
    );
  });

  it('exits 2 when the fan-out was cancelled', async () => {
    fake = new FakeAgentsApi();
    const { done } = start(fake);
    await untilFollowing(fake);
    const fanOut = fake.sessions.find(s => s.kind === 'fanout')!;
    await fake.fetch(
      `http://agents.test/api/agents/sessions/${fanOut.id}/cancel`,
      { method: 'POST' },
    );
    expect(await done).toBe(2);
  });

  it('on Ctrl-C, detaches and says how to re-attach; the fan-out goes on', async () => {
    fake = new FakeAgentsApi();
    const abort = new AbortController();
    const { stderr, done } = start(fake, [], abort.signal);
    await untilFollowing(fake);
    abort.abort();
    expect(await done).toBe(0);
    const fanOut = fake.sessions.find(s => s.kind === 'fanout')!;
    expect(stderr.text).toContain(
      `Detached; the fan-out goes on. Re-attach with: backstage-agents logs --fan-out ${fanOut.id} -f`,
    );
    expect(fake.requestsOf('CancelSession')).toEqual([]);
  });

  it('on Ctrl-C with --cancel-on-exit, cancels the fan-out and says so', async () => {
    fake = new FakeAgentsApi();
    const abort = new AbortController();
    const { stderr, done } = start(fake, ['--cancel-on-exit'], abort.signal);
    await untilFollowing(fake);
    abort.abort();
    expect(await done).toBe(2);
    const fanOut = fake.sessions.find(s => s.kind === 'fanout')!;
    expect(fake.requestsOf('CancelSession').map(r => r.pathParams.id)).toEqual([
      fanOut.id,
    ]);
    expect(stderr.text).toContain(
      `Cancelled the fan-out ${fanOut.id} and its unfinished tasks`,
    );
    expect(task(fake, 'T005').status).toBe('cancelled');
  });

  it('with --json, prints NDJSON events: the fan-out, its tasks, log lines, statuses, waves, summary', async () => {
    fake = new FakeAgentsApi();
    const { stdout, stderr, done } = start(fake, ['--json']);
    await untilFollowing(fake);
    fake.finishTask(task(fake, 'T002').id, 'succeeded', ['migration added']);
    fake.finishTask(task(fake, 'T003').id, 'succeeded');
    await until(() => stdout.text.includes('"started":true'), 'wave 2');
    for (const id of ['T004', 'T006'])
      fake.finishTask(task(fake, id).id, 'succeeded');
    await until(
      () => (stdout.text.match(/"started":true/g) ?? []).length === 2,
      'wave 3',
    );
    fake.finishTask(task(fake, 'T005').id, 'succeeded');
    expect(await done).toBe(0);
    const events = stdout.text
      .trimEnd()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(events[0]).toMatchObject({
      type: 'fanout',
      feature: '002-refunds',
      session: {
        kind: 'fanout',
        integrationBranch: INTEGRATION,
        currentWave: 1,
      },
      waves: [
        { wave: 1, taskIds: ['T002', 'T003'] },
        { wave: 2, taskIds: ['T004', 'T006'] },
        { wave: 3, taskIds: ['T005'] },
      ],
      blocked: [
        { taskId: 'T008', line: 32 },
        { taskId: 'T009', line: 38 },
      ],
    });
    expect(
      events.filter(e => e.type === 'task').map(e => [e.taskId, e.wave]),
    ).toEqual([
      ['T005', 3],
      ['T004', 2],
      ['T006', 2],
      ['T002', 1],
      ['T003', 1],
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'log',
        taskId: 'T002',
        line: expect.objectContaining({ line: 'migration added' }),
      }),
    );
    expect(events).toContainEqual({
      type: 'status',
      taskId: 'T005',
      sessionId: task(fake, 'T005').id,
      status: 'succeeded',
    });
    expect(events).toContainEqual({
      type: 'wave',
      wave: 1,
      merged: true,
      integrationBranch: INTEGRATION,
    });
    expect(events.at(-1)).toMatchObject({
      type: 'summary',
      status: 'succeeded',
      integrationBranch: INTEGRATION,
      counts: { succeeded: 5, failed: 0 },
    });
    expect(stderr.text).toBe('');
  });

  describe('refuses bad input before starting anything, with exit code 3', () => {
    const cases: Array<[string, () => void, string[], RegExp]> = [
      [
        'a missing tasks.md',
        () => rmSync(tasksPath),
        [],
        /specs\/002-refunds\/tasks.md was not found: give the path of a spec-kit tasks.md/,
      ],
      [
        'malformed lines, each with its line number',
        () =>
          writeFileSync(
            tasksPath,
            `${FIXTURE}\n- [ ] T01x [ASYNC] Bad id\n- [ ] T012 [ASYNK] Bad marker\n`,
          ),
        [],
        /has 2 malformed task line\(s\)[^]*line 54: malformed task id "T01x"[^]*line 55: unknown marker "\[ASYNK\]"/,
      ],
      [
        'no open [ASYNC] task',
        () =>
          writeFileSync(
            tasksPath,
            '## Phase 1\n- [ ] T001 [SYNC] A human task\n- [x] T002 [ASYNC] Done\n',
          ),
        [],
        /has no open \[ASYNC\] task to hand to agents: mark a task for an agent with \[ASYNC\] after its id, e.g. "- \[ \] T005 \[ASYNC\]/,
      ],
      [
        'a dependency cycle',
        () =>
          writeFileSync(
            tasksPath,
            '## Phase 1\n- [ ] T001 [ASYNC] A, depends on T002\n- [ ] T002 [ASYNC] B, depends on T001\n',
          ),
        [],
        /dependency cycle: T001 \(line 2\) depends on T002 \(line 3\) depends on T001 \(line 2\)/,
      ],
      [
        'more tasks than --max-tasks',
        () => undefined,
        ['--max-tasks', '4'],
        /5 tasks would each start an agent session, more than --max-tasks \(4\)/,
      ],
      [
        "an entity whose repository is not the checkout's origin",
        () =>
          execFileSync('git', [
            '-C',
            checkout,
            'remote',
            'set-url',
            'origin',
            'https://github.com/example-org/other.git',
          ]),
        [],
        /Entity component:default\/payments-service's repository is https:\/\/github.com\/example-org\/payments-service, but .* is in a checkout of https:\/\/github.com\/example-org\/other.git/,
      ],
      [
        'an entity not in the catalog',
        () => undefined,
        ['--entity', 'component:default/nope'],
        /Entity component:default\/nope was not found in the catalog/,
      ],
    ];
    it.each(cases)('%s', async (_what, arrange, args, message) => {
      fake = new FakeAgentsApi();
      arrange();
      const catalog = withCatalog(fake, [ENTITY]);
      const { code, stderr } = await runAgainst(
        fake,
        ['implement', tasksPath, '--entity', ENTITY_REF, ...args],
        { fetch: catalog.fetch },
      );
      expect(stderr).toMatch(message);
      expect(code).toBe(3);
      expect(fake.requestsOf('CreateSession')).toEqual([]);
    });

    it('no --entity, and no entity in the catalog has the repository', async () => {
      fake = new FakeAgentsApi();
      const catalog = withCatalog(fake, [
        {
          ...ENTITY,
          metadata: {
            ...ENTITY.metadata,
            annotations: { 'github.com/project-slug': 'example-org/other' },
          },
        },
      ]);
      const { code, stderr } = await runAgainst(
        fake,
        ['implement', tasksPath],
        { fetch: catalog.fetch },
      );
      expect(stderr).toContain(
        "No catalog entity at http://agents.test has this checkout's repository (git@github.com:example-org/payments-service.git): pass the entity with --entity",
      );
      expect(code).toBe(3);
      expect(fake.requests).toEqual([]);
    });

    it('no --entity, and several components have the repository', async () => {
      fake = new FakeAgentsApi();
      const twin = {
        ...ENTITY,
        metadata: { ...ENTITY.metadata, name: 'payments-worker' },
      };
      const catalog = withCatalog(fake, [ENTITY, twin]);
      const { code, stderr } = await runAgainst(
        fake,
        ['implement', tasksPath],
        { fetch: catalog.fetch },
      );
      expect(stderr).toContain(
        'component:default/payments-service, component:default/payments-worker; pick one with --entity',
      );
      expect(code).toBe(3);
      expect(fake.requests).toEqual([]);
    });
  });

  it("without --entity, finds the component of the checkout's origin in the catalog", async () => {
    fake = new FakeAgentsApi();
    const api = {
      ...ENTITY,
      kind: 'API',
      metadata: { ...ENTITY.metadata, name: 'payments-api' },
    };
    const unrelated = {
      ...ENTITY,
      metadata: {
        ...ENTITY.metadata,
        name: 'ledger',
        annotations: { 'github.com/project-slug': 'example-org/ledger' },
      },
    };
    // Three pages: the API and an unrelated component come first; the component wins over the API.
    const catalog = withCatalog(fake, [api, unrelated, ENTITY]);
    const { code } = await runAgainst(
      fake,
      ['implement', tasksPath, '--detach'],
      { fetch: catalog.fetch },
    );
    expect(code).toBe(0);
    expect(
      fake.requestsOf('CreateSession').map(r => (r.body as any).entityRef),
    ).toEqual(Array(6).fill(ENTITY_REF));
    expect(catalog.requests[0].url).toContain(
      '/api/catalog/entities/by-query?filter=metadata.annotations.backstage.io%2Fsource-location&filter=metadata.annotations.github.com%2Fproject-slug',
    );
    expect(catalog.requests[0].authorization).toBe('Bearer token-1');
  });

  it('accepts the https and .git forms of the same repository', async () => {
    fake = new FakeAgentsApi();
    execFileSync('git', [
      '-C',
      checkout,
      'remote',
      'set-url',
      'origin',
      'https://GitHub.com/example-org/payments-service.git/',
    ]);
    const catalog = withCatalog(fake, [ENTITY]);
    const { code } = await runAgainst(
      fake,
      ['implement', tasksPath, '--entity', 'payments-service', '--detach'],
      {
        fetch: catalog.fetch,
      },
    );
    expect(code).toBe(0);
    // The repository comes from the agents API's launch options: no catalog call is needed.
    expect(catalog.requests).toEqual([]);
    const [options] = fake.requestsOf('GetLaunchOptions');
    expect(options.query).toMatchObject({
      entityRef: 'component:default/payments-service',
    });
    expect(options.authorization).toBe('Bearer token-1');
  });

  it('refuses an entity the caller may not start sessions on, starting nothing', async () => {
    fake = new FakeAgentsApi();
    const catalog = withCatalog(fake, [ENTITY]);
    fake.entityLaunchOptions.set(ENTITY_REF, {
      ...fake.entityLaunchOptions.get(ENTITY_REF)!,
      canCreate: false,
      reason: 'You are not allowed to start agent sessions on component:default/payments-service',
    });
    const { code, stderr } = await runAgainst(
      fake,
      ['implement', tasksPath, '--entity', ENTITY_REF],
      { fetch: catalog.fetch },
    );
    expect(code).toBe(3);
    expect(stderr).toContain(
      'You may not start sessions on component:default/payments-service: You are not allowed',
    );
    expect(fake.requestsOf('CreateSession')).toEqual([]);
  });
});

describe('backstage-agents logs --fan-out', () => {
  let fake: FakeAgentsApi;
  beforeEach(() => makeCheckout());
  afterEach(() => {
    rmSync(checkout, { recursive: true, force: true });
    fake?.assertNoViolations();
  });

  it("re-attaches to a fan-out: every task's log from the start, the waves, the summary and the outcome", async () => {
    fake = new FakeAgentsApi();
    expect(await start(fake, ['--detach']).done).toBe(0);
    const fanOut = fake.sessions.find(
      s => s.kind === 'fanout',
    ) as AgentsSession;
    fake.playTask(task(fake, 'T002').id, 'running', ['before re-attaching']);
    const { stdout, done } = startAgainst(fake, [
      'logs',
      '--fan-out',
      fanOut.id,
      '-f',
    ]);
    await until(
      () => fake.streams.filter(s => s.opened).length === 5,
      'the streams',
    );
    fake.finishTask(task(fake, 'T002').id, 'succeeded', ['after re-attaching']);
    fake.finishTask(task(fake, 'T003').id, 'timed_out');
    expect(await done).toBe(1);
    expect(stdout.text).toContain(
      '[T002] before re-attaching\n[T002] after re-attaching\n',
    );
    expect(stdout.text).toMatch(/T003 +wave 1 +timed_out/);
  });

  it('without -f, prints the summary; refuses a session that is not a fan-out', async () => {
    fake = new FakeAgentsApi();
    expect(await start(fake, ['--detach']).done).toBe(0);
    const fanOut = fake.sessions.find(s => s.kind === 'fanout')!;
    const summary = await runAgainst(fake, ['logs', '--fan-out', fanOut.id]);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toContain(
      '2 running, 0 succeeded, 0 failed, 3 waiting',
    );
    const notFanOut = await runAgainst(fake, [
      'logs',
      '--fan-out',
      task(fake, 'T002').id,
      '-f',
    ]);
    expect(notFanOut.code).toBe(3);
    expect(notFanOut.stderr).toContain(
      'is not a fan-out; follow it with: backstage-agents logs',
    );
  });
});
