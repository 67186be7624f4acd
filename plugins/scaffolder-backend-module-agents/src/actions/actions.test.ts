import type {
  AgentsCreateSessionRequest,
  AgentsSessionStatus,
} from '@backstage-agents/plugin-agents-common';
import { errorReply, FakeAgentsApi } from '@backstage-agents/plugin-agents-common/testUtils';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { createImplementSpecAction } from './implementSpec';
import { createLaunchSessionAction } from './launchSession';
import type { AgentsActionsOptions } from './shared';

const entities: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'payments-service',
      namespace: 'default',
      annotations: {
        'backstage.io/source-location': 'url:https://github.com/example-org/payments-service/tree/main/',
      },
    },
    spec: { type: 'service', owner: 'group:default/team-a', lifecycle: 'production' },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'API',
    metadata: {
      name: 'payments-api',
      namespace: 'default',
      annotations: { 'github.com/project-slug': 'example-org/payments-service' },
    },
    spec: { type: 'openapi', owner: 'group:default/team-a', lifecycle: 'production', definition: '' },
  },
];

const fixtures = path.join(__dirname, '../__fixtures__');
const specFiles: Record<string, string> = {
  'tasks.md': fs.readFileSync(path.join(fixtures, 'tasks.md'), 'utf8'),
  'spec.md': '# Feature Specification: Ledger\n\nEvery payment is recorded once.\n',
  'plan.md': '# Implementation Plan: Ledger\n\nA ledger table and a LedgerService.\n',
};

const PR_URL = 'https://github.com/example-org/payments-service/pull/7';

describe('scaffolder actions', () => {
  let fake: FakeAgentsApi;
  /** The statuses successive reads of a session report. */
  let progression: AgentsSessionStatus[];
  let readUrls: string[];
  let files: Record<string, string>;
  let options: AgentsActionsOptions;

  /** The bodies of the requests to create a session, in order. */
  const creates = () =>
    fake.requestsOf('CreateSession').map(r => ({ body: r.body as AgentsCreateSessionRequest }));

  /** Refuses every new session once `count` sessions exist. */
  function failCreatesFrom(count: number, status: number, name: string, message: string) {
    fake.intercept('CreateSession', () =>
      fake.sessions.length >= count ? errorReply(status, name, message) : undefined,
    );
  }

  beforeEach(async () => {
    fake = new FakeAgentsApi();
    await fake.listen();
    progression = ['pending', 'starting', 'running', 'succeeded'];
    const reads = new Map<string, number>();
    // Each read of a session finds it one step further along; the fake answers with it as it now is.
    fake.intercept('GetSession', ({ pathParams }) => {
      const session = fake.sessions.find(s => s.id === pathParams.id);
      if (!session) return;
      const n = reads.get(session.id) ?? 0;
      reads.set(session.id, n + 1);
      const status = progression[Math.min(n, progression.length - 1)];
      fake.replace({
        ...session,
        status,
        ...(status === 'succeeded' ? { prUrl: PR_URL } : {}),
        ...(status === 'failed'
          ? { runs: session.runs.map(r => ({ ...r, phase: status, reason: 'exit code 2' })) }
          : {}),
      });
    });
    readUrls = [];
    files = { ...specFiles };
    options = {
      discovery: {
        getBaseUrl: fake.discoveryApi.getBaseUrl,
        getExternalBaseUrl: fake.discoveryApi.getBaseUrl,
      },
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      config: new ConfigReader({ app: { baseUrl: 'http://localhost:3000/' } }),
      catalog: catalogServiceMock({ entities }),
      urlReader: {
        readUrl: async (url: string) => {
          readUrls.push(url);
          const name = url.split('/').pop()!;
          if (!(name in files)) {
            const error = new Error(`${url} not found`);
            error.name = 'NotFoundError';
            throw error;
          }
          return { buffer: async () => Buffer.from(files[name]) } as any;
        },
        readTree: jest.fn(),
        search: jest.fn(),
      },
      pollIntervalMs: 1,
    };
  });

  afterEach(async () => {
    await fake.close();
    fake.assertNoViolations();
  });

  // createMockActionContext takes only some fields (not step, checkpoint, isDryRun): the rest is laid over it.
  const context = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...createMockActionContext({
      input: input as any,
      templateInfo: { entityRef: 'template:default/fix-issue', baseUrl: 'file:///tmp' } as any,
    }),
    ...extra,
  });

  const outputs = (ctx: { output: unknown }) =>
    Object.fromEntries((ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]));

  /** Runs every step of every example of an action, as the scaffolder would with that input. */
  async function runExamples(action: TemplateAction<any, any, any>) {
    expect(action.examples?.length).toBeGreaterThan(0);
    const results = [];
    for (const [index, example] of action.examples!.entries()) {
      const template = yaml.parse(example.example);
      for (const step of template.steps) {
        expect(step.action).toBe(action.id);
        const ctx = context(step.input, {
          task: { id: `example-task-${index}` },
          step: { id: step.id, name: step.name },
        });
        await action.handler(ctx as any);
        results.push({ description: example.description, input: step.input, output: outputs(ctx) });
      }
    }
    return results;
  }

  describe('agents:session:launch', () => {
    it('runs its examples', async () => {
      const results = await runExamples(createLaunchSessionAction(options));
      expect(results).toHaveLength(3);
      expect(results[0].output).toMatchObject({ status: 'pending' });
      expect(results[1].output).toMatchObject({ status: 'running' });
      expect(results[2].output).toMatchObject({
        status: 'succeeded',
        prUrl: PR_URL,
      });
      const posts = creates();
      // repoUrl resolves to the component, not to the API that shares its repository
      expect(posts.map(p => p.body.entityRef)).toEqual([
        'component:default/payments-service',
        'component:default/payments-service',
        'component:default/payments-service',
      ]);
    });

    it('starts a session on behalf of the initiator under the template, and returns its links', async () => {
      const action = createLaunchSessionAction(options);
      const ctx = context({ entityRef: 'payments-service', prompt: 'Fix the rounding bug', harness: 'demo' });
      await action.handler(ctx as any);

      expect(fake.requests).toHaveLength(1);
      const [post] = fake.requests;
      expect(post.body).toEqual({
        entityRef: 'component:default/payments-service',
        prompt: 'Fix the rounding bug',
        harness: 'demo',
        templateRef: 'template:default/fix-issue',
        idempotencyKey: 'scaffolder:mock-task-id:mock-step-id:-',
      });
      // a plugin request token for agents, issued on behalf of the mock user
      expect(post.authorization).toMatch(/^Bearer /);
      expect(post.authorization).toContain('user:default/mock');
      expect(post.authorization).toContain('agents');

      const out = outputs(ctx);
      expect(out).toEqual({
        sessionId: '00000000-0000-4000-8000-000000000001',
        sessionUrl: 'http://localhost:3000/agents/sessions/00000000-0000-4000-8000-000000000001',
        status: 'pending',
      });
    });

    it('returns the same session when the task is retried', async () => {
      const action = createLaunchSessionAction(options);
      const first = context({ entityRef: 'component:default/payments-service', prompt: 'p' });
      const second = context({ entityRef: 'component:default/payments-service', prompt: 'p' });
      await action.handler(first as any);
      await action.handler(second as any);
      expect(outputs(first).sessionId).toBe(outputs(second).sessionId);
      expect(fake.sessions).toHaveLength(1);
    });

    it('uses the checkpoint of an earlier attempt instead of calling again', async () => {
      const action = createLaunchSessionAction(options);
      const stored = { id: 'cafe0000-0000-4000-8000-000000000000', status: 'starting', prUrl: null };
      const checkpoint = jest.fn(async () => stored);
      const ctx = context({ entityRef: 'component:default/payments-service', prompt: 'p' }, { checkpoint });
      await action.handler(ctx as any);
      expect(checkpoint).toHaveBeenCalledWith(expect.objectContaining({ key: 'agents.session.launch.mock-step-id' }));
      expect(fake.requests).toHaveLength(0);
      expect(outputs(ctx).sessionId).toBe(stored.id);
    });

    it('calls nothing in a dry run', async () => {
      const action = createLaunchSessionAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', prompt: 'p' }, { isDryRun: true });
      await action.handler(ctx as any);
      expect(fake.requests).toHaveLength(0);
      expect(outputs(ctx)).toEqual({
        sessionId: '00000000-0000-0000-0000-000000000000',
        sessionUrl: 'http://localhost:3000/agents/sessions/00000000-0000-0000-0000-000000000000',
        status: 'dry-run',
      });
    });

    it('logs status changes while waiting', async () => {
      const action = createLaunchSessionAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', prompt: 'p', wait: 'finished' });
      const info = jest.spyOn(ctx.logger, 'info');
      await action.handler(ctx as any);
      const lines = info.mock.calls.map(c => String(c[0]));
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringContaining('pending → starting'),
          expect.stringContaining('starting → running'),
          expect.stringContaining('running → succeeded'),
        ]),
      );
    });

    it('fails naming the last status when the wait times out', async () => {
      progression = ['pending'];
      const action = createLaunchSessionAction({ ...options, pollIntervalMs: 5 });
      const ctx = context({
        entityRef: 'component:default/payments-service',
        prompt: 'p',
        wait: 'started',
        timeoutMinutes: 0.001,
      });
      await expect(action.handler(ctx as any)).rejects.toThrow(
        /Timed out after 0 s waiting for agent session .* to have started; its last status was 'pending'/,
      );
      expect(outputs(ctx).sessionId).toBeDefined();
    });

    it('fails when the session it waits for ends without success', async () => {
      progression = ['starting', 'failed'];
      const action = createLaunchSessionAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', prompt: 'p', wait: 'finished' });
      await expect(action.handler(ctx as any)).rejects.toThrow(/ended 'failed': exit code 2 \(http:\/\/localhost:3000\/agents\/sessions\//);
    });

    it("surfaces the backend's error body", async () => {
      failCreatesFrom(0, 403, 'NotAllowedError', "Policy 'default' does not allow harness codex");
      const action = createLaunchSessionAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', prompt: 'p', harness: 'codex' });
      await expect(action.handler(ctx as any)).rejects.toThrow(
        "Agents backend refused to start an agent session: NotAllowedError: Policy 'default' does not allow harness codex (HTTP 403)",
      );
    });

    it('says when no entity has the repository', async () => {
      const action = createLaunchSessionAction(options);
      const ctx = context({ repoUrl: 'https://github.com/example-org/unknown', prompt: 'p' });
      await expect(action.handler(ctx as any)).rejects.toThrow(
        /No catalog entity has the repository https:\/\/github.com\/example-org\/unknown/,
      );
      expect(fake.requests).toHaveLength(0);
    });

    it('needs an entityRef or a repoUrl', async () => {
      const action = createLaunchSessionAction(options);
      await expect(action.handler(context({ prompt: 'p' }) as any)).rejects.toThrow(/Give either entityRef or repoUrl/);
    });
  });

  describe('agents:speckit:implement', () => {
    it('runs its examples', async () => {
      const results = await runExamples(createImplementSpecAction(options));
      // In waves, the open unmarked T003 of phase 2 holds back the later phases.
      expect(results[0].output.sessions.map((s: any) => [s.taskId, s.wave])).toEqual([['T004', 1]]);
      expect(results[0].output.blocked.map((b: any) => b.taskId)).toEqual(['T005', 'T007', 'T009']);
      expect(results[0].output.integrationBranch).toBe('specs/001-ledger/integration');
      expect(results[1].output.blocked.map((b: any) => b.taskId)).toEqual([
        'T005', 'T006', 'T007', 'T009', 'T010', 'T011',
      ]);
      expect(results[1].output.integrationBranch).toBe('agents/001-ledger');
      expect(results[2].output.sessions.map((s: any) => s.taskId)).toEqual(['T004', 'T005', 'T007', 'T009']);
      expect(results[2].output.integrationBranch).toBeUndefined();
      expect(readUrls).toContain('https://github.com/example-org/payments-service/tree/main/specs/001-ledger/tasks.md');
    });

    it('with waves: false, starts every open [ASYNC] task at once with the task, spec and plan in its prompt', async () => {
      const action = createImplementSpecAction(options);
      const input = { entityRef: 'component:default/payments-service', feature: '001-ledger', harness: 'demo', waves: false };
      const ctx = context(input);
      await action.handler(ctx as any);

      const [fanOut, ...posts] = creates();
      expect(fanOut.body).toMatchObject({
        entityRef: 'component:default/payments-service',
        kind: 'fanout',
        origin: 'speckit',
        templateRef: 'template:default/fix-issue',
        idempotencyKey: 'scaffolder:mock-task-id:mock-step-id:001-ledger:fanout',
      });
      expect(fanOut.body.prompt).toContain('4 task(s)');
      expect(fanOut.body.integrationBranch).toBeUndefined();
      expect(posts.every(p => p.body.wave === undefined)).toBe(true);
      const fanOutId = '00000000-0000-4000-8000-000000000001';
      expect(posts.map(p => [p.body.parentSessionId, p.body.origin, p.body.taskId, p.body.workBranch])).toEqual([
        [fanOutId, 'speckit', 'T004', 'specs/001-ledger/T004-async'],
        [fanOutId, 'speckit', 'T005', 'specs/001-ledger/T005-async'],
        [fanOutId, 'speckit', 'T007', 'specs/001-ledger/T007-async'],
        [fanOutId, 'speckit', 'T009', 'specs/001-ledger/T009-async'],
      ]);
      expect(posts.map(p => p.body.idempotencyKey)).toEqual([
        'scaffolder:mock-task-id:mock-step-id:001-ledger:T004',
        'scaffolder:mock-task-id:mock-step-id:001-ledger:T005',
        'scaffolder:mock-task-id:mock-step-id:001-ledger:T007',
        'scaffolder:mock-task-id:mock-step-id:001-ledger:T009',
      ]);
      const prompt: string = posts[1].body.prompt;
      expect(prompt).toContain('Implement task T005 of the spec-kit feature "001-ledger"');
      expect(prompt).toContain('Contract test for POST /ledger/entries (tests/contract/ledger.test.ts)');
      expect(prompt).toContain('user story: US1');
      expect(prompt).toContain('Every payment is recorded once.');
      expect(prompt).toContain('A ledger table and a LedgerService.');
      expect(posts.every(p => p.body.templateRef === 'template:default/fix-issue' && p.body.harness === 'demo')).toBe(true);

      const { sessions, fanOutSessionId, fanOutSessionUrl } = outputs(ctx);
      expect(fanOutSessionId).toBe(fanOutId);
      expect(fanOutSessionUrl).toBe(`http://localhost:3000/agents/sessions/${fanOutId}`);
      expect(sessions).toHaveLength(4);
      expect(sessions[0]).toEqual({
        taskId: 'T004',
        sessionId: '00000000-0000-4000-8000-000000000002',
        sessionUrl: 'http://localhost:3000/agents/sessions/00000000-0000-4000-8000-000000000002',
        status: 'pending',
        workBranch: 'specs/001-ledger/T004-async',
      });

      // a retry of the task starts nothing new
      const retry = context(input);
      await action.handler(retry as any);
      expect(fake.sessions).toHaveLength(5);
      expect(outputs(retry).sessions).toEqual(sessions);
      expect(outputs(retry).fanOutSessionId).toBe(fanOutId);
    });

    it('names branches after its pattern, which must hold the task id', async () => {
      const action = createImplementSpecAction(options);
      const input = { entityRef: 'component:default/payments-service', feature: '001-ledger', waves: false };
      await action.handler(context({ ...input, branchPattern: 'agents/{feature}-{taskId}' }) as any);
      expect(creates().map(r => r.body.workBranch)).toEqual([
        undefined,
        'agents/001-ledger-T004',
        'agents/001-ledger-T005',
        'agents/001-ledger-T007',
        'agents/001-ledger-T009',
      ]);
      fake.requests.length = 0;
      await expect(
        action.handler(context({ ...input, branchPattern: 'agents/{feature}' }) as any),
      ).rejects.toThrow("branchPattern 'agents/{feature}' must contain {taskId}");
      expect(fake.requests).toHaveLength(0);
    });

    it('reads the spec where agents.git.rewrites says the repository is served', async () => {
      options.config = new ConfigReader({
        app: { baseUrl: 'http://localhost:3000/' },
        integrations: { github: [{ host: 'git.internal' }] },
        agents: { git: { rewrites: [{ from: 'https://github.com/example-org/', to: 'https://git.internal/example-org/' }] } },
      });
      await createImplementSpecAction(options).handler(
        context({ entityRef: 'component:default/payments-service', feature: '001-ledger' }) as any,
      );
      expect(readUrls).toContain('https://git.internal/example-org/payments-service/tree/main/specs/001-ledger/tasks.md');
    });

    it('fails listing the malformed task lines, starting nothing', async () => {
      files['tasks.md'] = '## Phase 1\n- [ ] T001 [ASYNC] Fine\n- [ ] T01x [ASYNC] Bad id\n- [ ] T002 [ASYNK] Typo\n';
      const action = createImplementSpecAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', feature: '001-ledger' });
      await expect(action.handler(ctx as any)).rejects.toThrow(
        /2 malformed task line\(s\)[\s\S]*line 3: malformed task id "T01x"[\s\S]*line 4: unknown marker "\[ASYNK\]"/,
      );
      expect(fake.requests).toHaveLength(0);
    });

    it('refuses more tasks than maxTasks', async () => {
      const action = createImplementSpecAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', feature: '001-ledger', maxTasks: 2, waves: false });
      await expect(action.handler(ctx as any)).rejects.toThrow(/4 tasks would each start an agent session, more than maxTasks \(2\)/);
      expect(fake.requests).toHaveLength(0);
    });

    it('says which sessions started when one fails', async () => {
      failCreatesFrom(3, 429, 'TooManyRequestsError', 'slow down');
      const action = createImplementSpecAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', feature: '001-ledger', waves: false });
      await expect(action.handler(ctx as any)).rejects.toThrow(
        /Started 2 of 4 agent sessions \(T004, T005\); starting the one for T007 failed: .*TooManyRequestsError: slow down \(HTTP 429\)/,
      );
    });

    it('says when tasks.md is missing', async () => {
      delete files['tasks.md'];
      const action = createImplementSpecAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', feature: '002-none' });
      await expect(action.handler(ctx as any)).rejects.toThrow(/specs\/002-none\/tasks.md was not found/);
    });

    it('refuses a feature that is not a directory name', async () => {
      const action = createImplementSpecAction(options);
      const ctx = context({ entityRef: 'component:default/payments-service', feature: '../etc' });
      await expect(action.handler(ctx as any)).rejects.toThrow(/is not a directory name under specs/);
    });

    it('plans without starting anything in a dry run', async () => {
      const action = createImplementSpecAction(options);
      const ctx = context(
        { entityRef: 'component:default/payments-service', feature: '001-ledger', waves: false },
        { isDryRun: true },
      );
      await action.handler(ctx as any);
      expect(fake.requests).toHaveLength(0);
      expect(outputs(ctx).sessions.map((s: any) => [s.taskId, s.status, s.workBranch])).toEqual([
        ['T004', 'dry-run', 'specs/001-ledger/T004-async'],
        ['T005', 'dry-run', 'specs/001-ledger/T005-async'],
        ['T007', 'dry-run', 'specs/001-ledger/T007-async'],
        ['T009', 'dry-run', 'specs/001-ledger/T009-async'],
      ]);
    });

    describe('in waves (the default)', () => {
      const refunds = fs.readFileSync(
        path.join(
          path.dirname(require.resolve('@backstage-agents/plugin-agents-common/package.json')),
          'src/speckit/__fixtures__/waves-tasks.md',
        ),
        'utf8',
      );
      const input = { entityRef: 'component:default/payments-service', feature: '002-refunds' };
      beforeEach(() => {
        files['tasks.md'] = refunds;
      });

      it('creates the fan-out on the integration branch and the tasks last wave first, with their upstream', async () => {
        const action = createImplementSpecAction(options);
        const ctx = context(input);
        await action.handler(ctx as any);
        const [fanOut, ...posts] = creates();
        expect(fanOut.body).toMatchObject({ kind: 'fanout', integrationBranch: 'specs/002-refunds/integration' });
        expect(fanOut.body.prompt).toContain('5 task(s)');
        expect(posts.map(p => [p.body.taskId, p.body.wave, p.body.workBranch])).toEqual([
          ['T005', 3, 'specs/002-refunds/T005-async'],
          ['T004', 2, 'specs/002-refunds/T004-async'],
          ['T006', 2, 'specs/002-refunds/T006-async'],
          ['T002', 1, 'specs/002-refunds/T002-async'],
          ['T003', 1, 'specs/002-refunds/T003-async'],
        ]);
        const prompt: string = posts[0].body.prompt;
        expect(prompt).toContain('- T004 (tests/contract/refunds.test.ts) is done and merged into your base branch');
        expect(prompt).toContain('Your base branch (specs/002-refunds/integration) holds the work of the earlier waves');
        expect(fake.sessions.find(s => s.origin.taskId === 'T005')?.baseBranch).toBe('specs/002-refunds/integration');

        const out = outputs(ctx);
        expect(out.integrationBranch).toBe('specs/002-refunds/integration');
        expect(out.waves.map((w: any) => [w.wave, w.taskIds])).toEqual([
          [1, ['T002', 'T003']],
          [2, ['T004', 'T006']],
          [3, ['T005']],
        ]);
        expect(out.blocked).toEqual([
          {
            taskId: 'T008',
            line: 32,
            reason: 'waits for T007 [SYNC] (line 31), still open: do it, check it off, and run implement again',
          },
          { taskId: 'T009', line: 38, reason: expect.stringContaining('waits for T007 [SYNC] (line 31)') },
        ]);
        // Reported in the order of tasks.md.
        expect(out.sessions.map((s: any) => [s.taskId, s.wave])).toEqual([
          ['T002', 1], ['T003', 1], ['T004', 2], ['T005', 3], ['T006', 2],
        ]);
      });

      it('takes the integration branch from its input', async () => {
        const action = createImplementSpecAction(options);
        await action.handler(context({ ...input, integrationBranch: 'agents/{feature}' }) as any);
        expect(creates()[0].body.integrationBranch).toBe('agents/002-refunds');
      });

      it('refuses a dependency cycle, starting nothing', async () => {
        files['tasks.md'] = '## Phase 1\n- [ ] T001 [ASYNC] A, depends on T002\n- [ ] T002 [ASYNC] B, depends on T001\n';
        const action = createImplementSpecAction(options);
        await expect(action.handler(context(input) as any)).rejects.toThrow(
          /dependency cycle: T001 \(line 2\) depends on T002 \(line 3\) depends on T001/,
        );
        expect(fake.requests).toHaveLength(0);
      });

      it('starts nothing when every task waits for a human, and says which', async () => {
        files['tasks.md'] = '## Phase 1\n- [ ] T001 [SYNC] Decide\n## Phase 2\n- [ ] T002 [ASYNC] Build\n';
        const action = createImplementSpecAction(options);
        const ctx = context(input);
        await action.handler(ctx as any);
        expect(fake.requests).toHaveLength(0);
        expect(outputs(ctx).sessions).toEqual([]);
        expect(outputs(ctx).blocked.map((b: any) => b.taskId)).toEqual(['T002']);
      });
    });
  });
});

describe('example templates', () => {
  const dir = path.join(__dirname, '../../../../examples/templates');
  it.each(['fix-issue', 'implement-spec'])('%s is a v1beta3 template using the agents actions', name => {
    const template = yaml.parse(fs.readFileSync(path.join(dir, name, 'template.yaml'), 'utf8'));
    expect(template).toMatchObject({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name },
    });
    const actions = template.spec.steps.map((s: { action: string }) => s.action);
    expect(actions.every((a: string) => a.startsWith('agents:'))).toBe(true);
  });
});
