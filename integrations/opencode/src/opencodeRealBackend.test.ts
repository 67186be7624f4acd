import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import express from 'express';
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
// The CLI's fixture: the real agents backend, a fake GitHub and the cluster simulator running the
// harness entrypoint with the demo agent. It is not exported by the package (yet).
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import {
  startRealBackend,
  type RealBackend,
} from '../../../packages/cli/src/__testUtils__/realBackend';

/**
 * `/agents-implement` in the real OpenCode, against the real agents backend: the fan-out and its
 * tasks are created by the backend, the demo agent runs each task in a pod, and `/agents-status`
 * reports how they ended. See opencode.test.ts for the rest of the set-up (the simulator's `run`
 * script, the network namespace).
 */

const INTEGRATION_DIR = resolve(__dirname, '..');
const CLI_BIN = join(
  dirname(require.resolve('@backstage-agents/cli/package.json')),
  'bin',
  'backstage-agents',
);

const { toolsDir: TOOLS_DIR, missing } = installAgentClis();
if (missing) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the OpenCode real-backend test: ${missing}`);
}
const describeWithOpenCode = missing ? describe.skip : describe;

jest.setTimeout(300_000);

const TASKS_MD = `# Tasks: Ledger

## Phase 1: Setup

- [ ] T001 [ASYNC] Add the ledger entry model in src/ledger/entry.ts

## Phase 2: User Story 1 - Post entries (Priority: P1)

- [ ] T002 [ASYNC] [US1] Post an entry in src/ledger/post.ts
`;

const component = (name: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'github.com/project-slug': `example-org/${name}` },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
});

/** The catalog route `implement` finds the checkout's entity with, which the fixture's mock catalog does not serve. */
function catalogRoutes(entities: ReturnType<typeof component>[]) {
  return createBackendPlugin({
    pluginId: 'catalog',
    register(env) {
      env.registerInit({
        deps: { httpRouter: coreServices.httpRouter },
        async init({ httpRouter }) {
          const router = express.Router();
          router.get('/entities/by-query', (_req, res) => {
            res.json({
              items: entities,
              totalItems: entities.length,
              pageInfo: {},
            });
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

type Event = {
  type: string;
  part?: {
    text?: string;
    tool?: string;
    state?: { input?: { command?: string }; output?: string };
  };
};

describeWithOpenCode(
  'the OpenCode integration, against the real backend',
  () => {
    let root: string;
    let llm: FakeLlm;
    let backend: RealBackend;
    let bridge: PortBridge | undefined;
    let binDir: string;

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'opencode-real-backend-'));
      llm = await startFakeLlm({
        socketPath: join(root, 'llm.sock'),
        scripts: { ...defaultScripts, [DEFAULT_SCENARIO]: defaultScripts.run },
      });
      backend = await startRealBackend({
        repos: ['ledger'],
        features: [catalogRoutes([component('ledger')])],
      });
      if (networkIsolation().available) {
        bridge = await startPortBridge([
          {
            socketPath: join(root, 'backend.sock'),
            target: Number(new URL(backend.url).port),
          },
        ]);
      }
      binDir = join(root, 'bin');
      mkdirSync(binDir);
      symlinkSync(CLI_BIN, join(binDir, 'backstage-agents'));
    });

    afterAll(async () => {
      await bridge?.stop();
      await backend?.stop();
      await llm?.stop();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    function provision(configDir: string) {
      const provisioned = join(TOOLS_DIR, 'opencode-config');
      for (const file of ['package.json', 'package-lock.json']) {
        cpSync(join(provisioned, file), join(configDir, file));
      }
      symlinkSync(
        join(provisioned, 'node_modules'),
        join(configDir, 'node_modules'),
      );
    }

    function makeProject(): { project: string; home: string } {
      const project = join(root, 'ledger');
      const feature = join(project, 'specs', '001-ledger');
      mkdirSync(feature, { recursive: true });
      writeFileSync(join(feature, 'tasks.md'), TASKS_MD);
      writeFileSync(join(feature, 'spec.md'), '# Feature: Ledger\n');
      const git = (...args: string[]) =>
        execFileSync(
          'git',
          ['-c', 'user.name=t', '-c', 'user.email=t@e', ...args],
          { cwd: project },
        );
      git('init', '-q', '-b', '001-ledger');
      git('remote', 'add', 'origin', 'https://github.com/example-org/ledger');
      git('add', '.');
      git('commit', '-qm', 'Specify the ledger');
      cpSync(join(INTEGRATION_DIR, '.opencode'), join(project, '.opencode'), {
        recursive: true,
      });
      provision(join(project, '.opencode'));
      const home = join(root, 'home');
      const configDir = join(home, '.config', 'opencode');
      mkdirSync(configDir, { recursive: true });
      writeFileSync(
        join(configDir, 'opencode.json'),
        JSON.stringify({
          $schema: 'https://opencode.ai/config.json',
          provider: {
            'fake-llm': {
              npm: '@ai-sdk/openai-compatible',
              name: 'fake-llm',
              options: { baseURL: `${llm.url}/v1`, apiKey: 'dummy' },
              models: { 'fake-model': { name: 'fake-model', tool_call: true } },
            },
          },
          model: 'fake-llm/fake-model',
          small_model: 'fake-llm/fake-model',
          autoupdate: false,
          share: 'disabled',
        }),
      );
      provision(configDir);
      return { project, home };
    }

    async function runOpenCode(project: string, home: string, args: string[]) {
      const command = join(TOOLS_DIR, 'bin', 'opencode');
      const argv = bridge
        ? offlineCommand(command, args, [
            { port: llm.port, socketPath: llm.socketPath! },
            ...bridge.forwards,
          ])
        : { command, args };
      const env: Record<string, string> = {
        PATH: [binDir, dirname(process.execPath), process.env.PATH ?? ''].join(
          ':',
        ),
        HOME: home,
        LANG: 'C.UTF-8',
        PWD: project,
        OPENCODE_DISABLE_AUTOUPDATE: '1',
        OPENCODE_DISABLE_MODELS_FETCH: '1',
        OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
        BACKSTAGE_URL: backend.url,
        BACKSTAGE_TOKEN: backend.token,
        NO_COLOR: '1',
        ...(bridge ? {} : deadProxyEnvironment()),
      };
      const { code, stdout, stderr } = await new Promise<{
        code: number | null;
        stdout: string;
        stderr: string;
      }>((done, fail) => {
        const child = spawn(argv.command, argv.args, {
          cwd: project,
          env,
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
      const events: Event[] = stdout.split('\n').flatMap(line => {
        try {
          return [JSON.parse(line)];
        } catch {
          return [];
        }
      });
      return {
        code,
        stderr,
        answer: events.filter(e => e.type === 'text').at(-1)?.part?.text ?? '',
        bash: events
          .filter(e => e.type === 'tool_use' && e.part?.tool === 'bash')
          .map(e => e.part?.state?.output ?? ''),
      };
    }

    async function api<T>(path: string): Promise<T> {
      const response = await fetch(`${backend.url}/api/agents${path}`, {
        headers: { Authorization: `Bearer ${backend.token}` },
      });
      if (!response.ok) {
        throw new Error(`${path}: ${response.status} ${await response.text()}`);
      }
      return (await response.json()) as T;
    }

    it('starts the fan-out on the backend, and reports how its tasks ended', async () => {
      const { project, home } = makeProject();
      const implement = await runOpenCode(project, home, [
        'run',
        '--format',
        'json',
        '--command',
        'agents-implement',
        '001-ledger',
      ]);
      expect({
        code: implement.code,
        stderr: implement.code ? implement.stderr : '',
      }).toEqual({ code: 0, stderr: '' });

      type Session = {
        id: string;
        kind: string;
        status: string;
        entityRef: string;
        workBranch: string;
        prUrl?: string;
        origin: { taskId?: string };
        wave?: number;
      };
      const { items } = await api<{ items: Session[] }>(
        `/sessions?entityRef=${encodeURIComponent('component:default/ledger')}`,
      );
      const fanOut = items.find(s => s.kind === 'fanout');
      expect(fanOut).toBeDefined();
      const { items: tasks } = await api<{ items: Session[] }>(
        `/sessions?parentSessionId=${fanOut!.id}`,
      );
      expect(
        Object.fromEntries(tasks.map(t => [t.origin.taskId, t.wave])),
      ).toEqual({ T001: 1, T002: 2 });
      expect(implement.answer).toContain(
        `Fan-out ${fanOut!.id} on component:default/ledger`,
      );
      expect(implement.answer).toContain(
        `backstage-agents logs --fan-out ${fanOut!.id} -f`,
      );

      // The demo agent runs the tasks in pods, wave after wave; then /agents-status reports them.
      const deadline = Date.now() + 200_000;
      let current = await api<Session>(`/sessions/${fanOut!.id}`);
      while (
        ['pending', 'starting', 'running'].includes(current.status) &&
        Date.now() < deadline
      ) {
        await new Promise(r => setTimeout(r, 1000));
        current = await api<Session>(`/sessions/${fanOut!.id}`);
      }
      expect(current.status).toBe('succeeded');
      const { items: finished } = await api<{ items: Session[] }>(
        `/sessions?parentSessionId=${fanOut!.id}`,
      );
      const status = await runOpenCode(project, home, [
        'run',
        '--format',
        'json',
        '--command',
        'agents-status',
        fanOut!.id,
      ]);
      expect(status.code).toBe(0);
      expect(status.answer).toContain(
        `Fan-out ${fanOut!.id} ${current.status}`,
      );
      for (const task of finished) {
        const line =
          status.answer
            .split('\n')
            .find(l => l.trim().startsWith(task.origin.taskId!)) ?? '';
        expect(line).toContain(task.status);
        expect(line).toContain(task.workBranch);
        expect(line).toContain(task.prUrl ?? '');
      }
      if (process.env.SHOW_ANSWERS) {
        // eslint-disable-next-line no-console
        console.log(`${implement.answer}\n\n${status.answer}`);
      }
    });
  },
);
