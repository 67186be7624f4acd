import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cluster';
import { startGroup, type GroupProcess } from './processGroup';
import { sleep, waitFor } from './waitFor';

const BACKEND_DIR = path.join(ROOT, 'packages/backend');
/** What `backstage-cli package start` runs a backend with: the sources through Backstage's Node transform. */
const NODE_ARGS = [
  '--enable-source-maps',
  '--require',
  require.resolve('@backstage/cli-node/config/nodeTransform.cjs', { paths: [BACKEND_DIR] }),
  'src/index.ts',
];

/** How long a start may take to serve (a loaded 2-core machine takes up to a minute), and how often it is tried. */
const STARTUP_TIMEOUT_MS = 150_000;
const STARTUP_ATTEMPTS = 4;

/**
 * One replica of the real backend (`packages/backend/src/index.ts`), started as `yarn start` starts it,
 * with the repository's app-config.yaml and the run's own configuration layered on top. It can be
 * killed with SIGKILL and started again on the same port.
 */
export class Replica {
  private process?: GroupProcess;
  private starts = 0;
  /** When the replica last became ready to serve. */
  readyAt = 0;
  /** Serving the agents API since its last start, and not killed since: what a readiness probe says. */
  ready = false;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly options: {
      configFiles: string[];
      env: NodeJS.ProcessEnv;
      logDir: string;
      token: string;
      log?: (message: string) => void;
    },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return Boolean(this.process && this.process.child.exitCode === null && this.process.child.signalCode === null);
  }

  get logFile(): string {
    return path.join(this.options.logDir, `${this.name}.log`);
  }

  /**
   * Starts the process and waits until its agents API answers. A start that exits or does not serve
   * within `STARTUP_TIMEOUT_MS` (a start that met the PostgreSQL restart, say) is killed and tried
   * again, as a kubelet does with a container that fails its startup probe.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.startOnce();
        return;
      } catch (error) {
        if (attempt >= STARTUP_ATTEMPTS) throw error;
        this.options.log?.(`${this.name} failed to start (${(error as Error).message}); starting it again`);
        this.process?.signal('SIGKILL');
        await this.process?.exited;
        await restartDelay();
      }
    }
  }

  private async startOnce(): Promise<void> {
    this.starts += 1;
    this.ready = false;
    fs.appendFileSync(this.logFile, `\n===== start ${this.starts} at ${new Date().toISOString()} =====\n`);
    const args = [...NODE_ARGS, ...this.options.configFiles.flatMap(file => ['--config', file])];
    const started = startGroup(this.name, process.execPath, args, {
      cwd: BACKEND_DIR,
      env: {
        ...process.env,
        ...this.options.env,
        NODE_ENV: 'development',
        ESBK_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      },
      logFile: this.logFile,
    });
    this.process = started;
    await waitFor(
      `${this.name} to serve the agents API`,
      async () => {
        if (started.child.exitCode !== null) throw new Error(`${this.name} exited while starting; see ${this.logFile}`);
        const res = await fetch(`${this.url}/api/agents/sessions?limit=1`, {
          headers: { authorization: `Bearer ${this.options.token}` },
        });
        return res.ok ? true : undefined;
      },
      { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 500 },
    );
    this.readyAt = Date.now();
    this.ready = true;
  }

  /** kill -9 of the whole process group: no shutdown hooks, no lease handed over. */
  async kill(): Promise<void> {
    const current = this.process;
    if (!current) return;
    this.ready = false;
    current.signal('SIGKILL');
    await current.exited;
  }

  async stop(): Promise<void> {
    await this.process?.stop(10_000);
  }

  /** When this replica took the reconciler lease, from its log, oldest first. */
  leaseTakenTimes(): number[] {
    // The development log format colours its fields.
    // eslint-disable-next-line no-control-regex
    const log = fs.readFileSync(this.logFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
    return log
      .split('\n')
      .filter(line => line.includes('Reconciler lease taken'))
      .map(line => Date.parse(line.split(' ')[0]))
      .filter(Number.isFinite);
  }
}

/** Waits briefly between a kill and a restart, as a crash-looping pod's back-off would. */
export const restartDelay = () => sleep(1_000);
