import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  deadProxyEnvironment,
  DEFAULT_SCENARIO,
  defaultScripts,
  networkIsolation,
  offlineCommand,
  startFakeLlm,
  startPortBridge,
  type FakeLlm,
  type PortBridge,
  installAgentClis,
} from '@backstage-agents/fake-llm';
import {
  DEFAULT_LAUNCH_OPTIONS,
  FakeAgentsApi,
} from '@backstage-agents/plugin-agents-common/testUtils';

/**
 * The integration as a project installs it: the real OpenCode (the version the harness image pins)
 * runs `/agents-implement` and `/agents-status` in a throwaway git checkout holding a spec-kit
 * feature, with this directory's `.opencode/` copied in. The "model" is the simulator playing its
 * `run` script (it runs the command block of the prompt with the bash tool, then answers quoting
 * what the command printed), the bash call runs the real `backstage-agents` binary, and the agents
 * API is the spec-validated fake served over HTTP, with the catalog query `implement` finds the
 * checkout's entity with when none is given.
 *
 * OpenCode and the CLI reach nothing but the simulator and the API: in a loopback-only network
 * namespace when the machine allows it (fake-llm's offlineCommand), else with proxy variables that
 * point at a dead port.
 */

const INTEGRATION_DIR = resolve(__dirname, '..');
const CLI_BIN = join(
  dirname(require.resolve('@backstage-agents/cli/package.json')),
  'bin',
  'backstage-agents',
);

const ENTITY_REF = 'component:default/ledger';
const TOKEN = 'token-opencode';

const { toolsDir: TOOLS_DIR, missing } = installAgentClis();
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the OpenCode integration tests: ${missing}`);
}
const describeWithOpenCode = missing ? describe.skip : describe;

// An OpenCode run takes 5 to 20 seconds here.
jest.setTimeout(180_000);

const TASKS_MD = `# Tasks: Ledger

## Phase 1: Setup

- [x] T001 [SYNC] Create the ledger database in the cloud console
- [ ] T002 [ASYNC] Add the ledger entry model in src/ledger/entry.ts

## Phase 2: User Story 1 - Post and list entries (Priority: P1)

- [ ] T003 [P] [ASYNC] [US1] Post an entry in src/ledger/post.ts
- [ ] T004 [P] [ASYNC] [US1] List the entries of an account in src/ledger/list.ts
- [ ] T005 [SYNC] Review the ledger's wording with finance
`;

/** A component of the catalog, its repository on GitHub under example-org. */
function component(name: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: { 'github.com/project-slug': `example-org/${name}` },
    },
    spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
  };
}

/** The catalog: the checkout's component, and another repository's. */
const CATALOG = [component('ledger'), component('payments')];

/** The catalog route `implement` finds the checkout's entity with when none is given. */
function serveCatalog(url: string): { status: number; body: unknown } {
  if (url.startsWith('/api/catalog/entities/by-query')) {
    return {
      status: 200,
      body: { items: CATALOG, totalItems: CATALOG.length, pageInfo: {} },
    };
  }
  return {
    status: 404,
    body: { error: { name: 'NotFoundError', message: `No route ${url}` } },
  };
}

type OpenCodeEvent = {
  type: string;
  sessionID?: string;
  part?: {
    type?: string;
    text?: string;
    tool?: string;
    state?: { status?: string; input?: { command?: string }; output?: string };
  };
};

type OpenCodeRun = {
  code: number | null;
  stderr: string;
  events: OpenCodeEvent[];
  /** The text of the run's last answer. */
  answer: string;
  /** The bash calls: what ran and what it printed. */
  bash: Array<{ command: string; output: string }>;
};

function parseEvents(stdout: string): OpenCodeEvent[] {
  return stdout.split('\n').flatMap(line => {
    try {
      const value = JSON.parse(line);
      return value && typeof value === 'object' ? [value] : [];
    } catch {
      return [];
    }
  });
}

/** Writes OpenCode's configuration (provider: the simulator) and its provisioned plugin package. */
function configureOpenCode(configDir: string, llmUrl?: string) {
  mkdirSync(configDir, { recursive: true });
  if (llmUrl) {
    writeFileSync(
      join(configDir, 'opencode.json'),
      JSON.stringify(
        {
          $schema: 'https://opencode.ai/config.json',
          provider: {
            'fake-llm': {
              npm: '@ai-sdk/openai-compatible',
              name: 'fake-llm',
              options: {
                baseURL: `${llmUrl}/v1`,
                apiKey: 'fake-llm-dummy-key',
              },
              models: { 'fake-model': { name: 'fake-model', tool_call: true } },
            },
          },
          model: 'fake-llm/fake-model',
          small_model: 'fake-llm/fake-model',
          // The user's own settings: the integration's agent narrows them for its turns.
          permission: { edit: 'allow', bash: 'allow', webfetch: 'deny' },
          autoupdate: false,
          share: 'disabled',
        },
        null,
        2,
      ),
    );
  }
  // OpenCode installs @opencode-ai/plugin into every configuration directory it finds (the
  // project's .opencode/ too) unless it is there: scripts/install-agent-clis.sh provisions it.
  const provisioned = join(TOOLS_DIR, 'opencode-config');
  for (const file of ['package.json', 'package-lock.json']) {
    cpSync(join(provisioned, file), join(configDir, file));
  }
  symlinkSync(
    join(provisioned, 'node_modules'),
    join(configDir, 'node_modules'),
  );
}

describeWithOpenCode('the OpenCode integration, with the real OpenCode', () => {
  let root: string;
  let llm: FakeLlm;
  let api: FakeAgentsApi;
  let server: Server;
  let apiPort: number;
  let bridge: PortBridge | undefined;
  let binDir: string;
  let catalogRequests: string[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'opencode-integration-'));
    // The prompts are the commands' templates, which carry no marker: every conversation plays `run`.
    llm = await startFakeLlm({
      socketPath: join(root, 'llm.sock'),
      scripts: { ...defaultScripts, [DEFAULT_SCENARIO]: defaultScripts.run },
    });
    server = createServer((req, res) => {
      const url = req.url ?? '';
      if (!url.startsWith('/api/catalog/')) {
        api.handler(req, res);
        return;
      }
      catalogRequests.push(url);
      const { status, body } = serveCatalog(url);
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
    apiPort = (server.address() as AddressInfo).port;
    if (networkIsolation().available) {
      bridge = await startPortBridge([
        { socketPath: join(root, 'api.sock'), target: apiPort },
      ]);
    } else {
      // eslint-disable-next-line no-console
      console.warn(
        `No network namespace here (${
          networkIsolation().reason
        }): OpenCode runs with dead proxy variables instead`,
      );
    }
    // `backstage-agents` on PATH, as the README has users link it.
    binDir = join(root, 'bin');
    mkdirSync(binDir);
    symlinkSync(CLI_BIN, join(binDir, 'backstage-agents'));
  });

  afterAll(async () => {
    await bridge?.stop();
    if (server) {
      server.closeAllConnections();
      await new Promise(done => server.close(done));
    }
    await llm?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    api = new FakeAgentsApi();
    api.caller = 'user:default/jane';
    // What the backend answers from the catalog: each component's repository.
    for (const entity of CATALOG) {
      const url = `https://github.com/${entity.metadata.annotations['github.com/project-slug']}`;
      api.entityLaunchOptions.set(`component:default/${entity.metadata.name}`, {
        ...DEFAULT_LAUNCH_OPTIONS,
        repository: { url, cloneUrl: url },
      });
    }
    catalogRequests = [];
  });
  afterEach(() => api.assertNoViolations());

  /** A clone of the entity's repository holding a spec-kit feature, with the integration copied in. */
  function makeProject(label: string): string {
    const project = join(root, label, 'ledger');
    const feature = join(project, 'specs', '001-ledger');
    mkdirSync(feature, { recursive: true });
    writeFileSync(join(feature, 'tasks.md'), TASKS_MD);
    writeFileSync(
      join(feature, 'spec.md'),
      '# Feature: Ledger\n\nAccounts keep a ledger of entries.\n',
    );
    writeFileSync(
      join(feature, 'plan.md'),
      '# Plan: Ledger\n\nTypeScript, one module per use case under src/ledger/.\n',
    );
    const git = (...args: string[]) =>
      execFileSync(
        'git',
        ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args],
        { cwd: project },
      );
    git('init', '-q', '-b', '001-ledger');
    git('remote', 'add', 'origin', 'git@github.com:example-org/ledger.git');
    git('add', '.');
    git('commit', '-qm', 'Specify the ledger');
    // The installation the README describes: copy .opencode/ into the project.
    cpSync(join(INTEGRATION_DIR, '.opencode'), join(project, '.opencode'), {
      recursive: true,
    });
    configureOpenCode(join(project, '.opencode'));
    return project;
  }

  async function runOpenCode(
    project: string,
    args: string[],
    env: Record<string, string> = {},
  ): Promise<OpenCodeRun> {
    const home = join(dirname(project), 'home');
    if (!existsSync(home))
      configureOpenCode(join(home, '.config', 'opencode'), llm.url);
    const command = join(TOOLS_DIR, 'bin', 'opencode');
    const argv = bridge
      ? offlineCommand(command, args, [
          { port: llm.port, socketPath: llm.socketPath! },
          ...bridge.forwards,
        ])
      : { command, args };
    const childEnv: Record<string, string> = {
      PATH: [
        binDir,
        dirname(process.execPath),
        process.env.PATH ?? '/usr/bin:/bin',
      ].join(':'),
      HOME: home,
      LANG: 'C.UTF-8',
      // OpenCode takes its directory from PWD.
      PWD: project,
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      BACKSTAGE_URL: `http://127.0.0.1:${apiPort}`,
      BACKSTAGE_TOKEN: TOKEN,
      NO_COLOR: '1',
      ...(bridge ? {} : deadProxyEnvironment()),
      ...env,
    };
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((done, fail) => {
      const child = spawn(argv.command, argv.args, {
        cwd: project,
        env: childEnv,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      child.stdin.end('');
      let out = '';
      let err = '';
      child.stdout.on('data', chunk => (out += chunk));
      child.stderr.on('data', chunk => (err += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
      child.on('error', fail);
      child.on('close', exit => {
        clearTimeout(timer);
        done({ code: exit, stdout: out, stderr: err });
      });
    });
    const events = parseEvents(stdout);
    const texts = events.filter(e => e.type === 'text');
    return {
      code,
      stderr,
      events,
      answer: texts.at(-1)?.part?.text ?? '',
      bash: events
        .filter(e => e.type === 'tool_use' && e.part?.tool === 'bash')
        .map(e => ({
          command: e.part?.state?.input?.command ?? '',
          output: e.part?.state?.output ?? '',
        })),
    };
  }

  /** The simulator's requests that offered tools (the agent's turns, not title generation). */
  function agentTurns(since: number) {
    return llm.requests.slice(since).filter(r => {
      const tools = (r.body as { tools?: unknown[] } | undefined)?.tools;
      return Array.isArray(tools) && tools.length > 0;
    });
  }

  function toolNames(request: { body: unknown }): string[] {
    const { tools } = request.body as {
      tools: Array<{ function: { name: string } }>;
    };
    return tools.map(t => t.function.name).sort();
  }

  it('/agents-implement <feature> starts the fan-out and reports it in the session', async () => {
    const project = makeProject('implement');
    const start = llm.requests.length;
    const result = await runOpenCode(
      project,
      [
        'run',
        '--format',
        'json',
        '--command',
        'agents-implement',
        '001-ledger',
      ],
      { AGENTS_ENTITY: ENTITY_REF, AGENTS_HARNESS: 'claude-code' },
    );
    expect({
      code: result.code,
      stderr: result.code ? result.stderr : '',
    }).toEqual({
      code: 0,
      stderr: '',
    });

    // The fan-out and one session per open [ASYNC] task, on the entity, created by the CLI.
    const created = api
      .requestsOf('CreateSession')
      .map(r => r.body as Record<string, unknown>);
    expect(created[0]).toMatchObject({
      kind: 'fanout',
      entityRef: ENTITY_REF,
      harness: 'claude-code',
    });
    const fanOut = api.sessions.find(s => s.kind === 'fanout')!;
    expect(fanOut).toBeDefined();
    const tasks = created.slice(1);
    expect(Object.fromEntries(tasks.map(t => [t.taskId, t.wave]))).toEqual({
      T002: 1,
      T003: 2,
      T004: 2,
    });
    expect(
      tasks.every(
        t => t.parentSessionId === fanOut.id && t.entityRef === ENTITY_REF,
      ),
    ).toBe(true);
    expect(api.requests.every(r => r.authorization === `Bearer ${TOKEN}`)).toBe(
      true,
    );
    // The entity given (AGENTS_ENTITY) is used as it is, not looked up by the checkout's origin.
    expect(catalogRequests).toEqual([]);

    // One bash call, the command block of the template, in the main session.
    expect(result.bash).toHaveLength(1);
    expect(result.bash[0].command).toContain(
      'backstage-agents implement "$feature"',
    );
    expect(result.bash[0].output).toContain(`Fan-out ${fanOut.id}`);
    expect(new Set(result.events.map(e => e.sessionID))).toEqual(
      new Set([result.events[0].sessionID]),
    );

    // The turn ran as agents-dispatcher: bash and read-only tools, nothing that edits.
    const turns = agentTurns(start);
    expect(turns.length).toBeGreaterThanOrEqual(2);
    for (const turn of turns) {
      expect(toolNames(turn)).toContain('bash');
      expect(toolNames(turn)).not.toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^(write|edit|patch|task)$/),
        ]),
      );
    }

    // The session's final answer reports the fan-out, its tasks and how to follow it.
    expect(result.answer).toContain(`Fan-out ${fanOut.id} on ${ENTITY_REF}`);
    for (const id of ['T002', 'T003', 'T004']) {
      expect(result.answer).toContain(id);
    }
    expect(result.answer).toMatch(/wave 1 .*T002/);
    expect(result.answer).toMatch(/wave 2 .*T003, T004/);
    expect(result.answer).toContain(
      `backstage-agents logs --fan-out ${fanOut.id} -f`,
    );
    if (process.env.SHOW_ANSWERS) {
      // eslint-disable-next-line no-console
      console.log(result.answer);
    }
  });

  it("/agents-status <id> reports each task's outcome, branch and pull request", async () => {
    const project = makeProject('status');
    const implement = await runOpenCode(project, [
      'run',
      '--format',
      'json',
      '--command',
      'agents-implement',
      '001-ledger',
      ENTITY_REF,
    ]);
    expect(implement.code).toBe(0);
    const fanOut = api.sessions.find(s => s.kind === 'fanout')!;
    const task = (id: string) =>
      api.sessions.find(s => s.origin.taskId === id)!;
    const pr = 'https://github.com/example-org/ledger/pull/7';
    const finishedAt = new Date().toISOString();
    api.replace({
      ...task('T002'),
      status: 'succeeded',
      prUrl: pr,
      finishedAt,
    });
    api.replace({ ...task('T003'), status: 'failed', finishedAt });

    const result = await runOpenCode(project, [
      'run',
      '--format',
      'json',
      '--command',
      'agents-status',
      fanOut.id,
    ]);
    expect(result.code).toBe(0);
    expect(result.bash.map(b => b.command)).toEqual([
      `backstage-agents logs --fan-out "${fanOut.id}"`,
    ]);
    const line = (id: string) =>
      result.answer.split('\n').find(l => l.trim().startsWith(id)) ?? '';
    expect(line('T002')).toContain('succeeded');
    expect(line('T002')).toContain(task('T002').workBranch);
    expect(line('T002')).toContain(pr);
    expect(line('T003')).toContain('failed');
    expect(line('T004')).toContain('pending');
    expect(result.answer).toContain(`Fan-out ${fanOut.id}`);
  });

  it("/agents-implement without an entity hands the tasks to the catalog's entity of the checkout", async () => {
    const project = makeProject('no-entity');
    const result = await runOpenCode(project, [
      'run',
      '--format',
      'json',
      '--command',
      'agents-implement',
      'specs/001-ledger',
    ]);
    expect(result.code).toBe(0);
    expect(result.bash[0].command).toContain('${entity:+--entity "$entity"}');
    expect(catalogRequests.some(u => u.includes('/entities/by-query'))).toBe(
      true,
    );
    const fanOut = api.sessions.find(s => s.kind === 'fanout')!;
    expect(fanOut.entityRef).toBe(ENTITY_REF);
    expect(api.requestsOf('CreateSession')).toHaveLength(4);
    expect(result.answer).toContain(`Fan-out ${fanOut.id} on ${ENTITY_REF}`);
  });

  it("/agents-implement refuses another repository's entity, starts nothing and says why", async () => {
    const project = makeProject('wrong-entity');
    const result = await runOpenCode(project, [
      'run',
      '--format',
      'json',
      '--command',
      'agents-implement',
      '001-ledger',
      'component:default/payments',
    ]);
    expect(result.code).toBe(0);
    expect(api.requestsOf('CreateSession')).toHaveLength(0);
    expect(result.answer).toContain(
      "Error: Entity component:default/payments's repository is https://github.com/example-org/payments",
    );
  });
});
