import { ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { join } from 'node:path';
import { ConfigSource, ContainerConfigError } from './configSource';
import { ContainerLog } from './containerLog';
import { ImageMap, lookupImage } from './imageMap';
import { resolveContainerEnv, expandReferences } from './podEnvironment';
import { PodFilesystem } from './podFilesystem';

/** What a pod runner needs from the API server; the kubelet implements it with @kubernetes/client-node. */
export interface PodApi {
  patchStatus(pod: any, status: any): Promise<void>;
  recordEvent(
    pod: any,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void>;
  /** Completes a graceful deletion: delete with gracePeriodSeconds=0 and a uid precondition. */
  confirmDeletion(pod: any): Promise<void>;
}

export interface PodRunnerOptions {
  pod: any;
  images: ImageMap;
  podDir: string;
  source: ConfigSource;
  api: PodApi;
  /** Host environment passed to every process (PATH, HOME, ...), beneath the pod's own env. */
  hostEnv: Record<string, string>;
  /** Delay before retrying a pod whose secrets or config maps are missing. */
  configRetryMs: number;
  onError(error: unknown): void;
}

interface ContainerRun {
  name: string;
  image: string;
  log: ContainerLog;
  child?: ChildProcess;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  signal?: string;
  startError?: string;
}

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const DEADLINE_MESSAGE =
  'Pod was active on the node longer than the specified deadline';

/**
 * Runs one pod as local processes, one per container, and reports its
 * lifecycle through the pod status: Pending (ContainerCreating or
 * CreateContainerConfigError) → Running → Succeeded/Failed. Enforces
 * activeDeadlineSeconds and performs graceful termination on deletion.
 * Containers are not restarted: every pod behaves as restartPolicy Never.
 */
export class PodRunner {
  readonly fs: PodFilesystem;
  private readonly containers: ContainerRun[];
  private pod: any;
  private readonly startTime = timestamp();
  private waitingReason = 'ContainerCreating';
  private waitingMessage?: string;
  private deadlineExceeded = false;
  private terminating = false;
  private disposed = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly transitions = new Map<
    string,
    { status: string; time: string }
  >();
  private statusChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: PodRunnerOptions) {
    this.pod = options.pod;
    this.fs = new PodFilesystem(options.podDir);
    this.containers = (this.pod.spec.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      log: new ContainerLog(join(this.fs.logsDir, `${c.name}.log`)),
    }));
  }

  log(container: string): ContainerLog | undefined {
    return this.containers.find(c => c.name === container)?.log;
  }

  /** Prepares volumes and env, then starts every container; retries while configuration is missing. */
  async start(): Promise<void> {
    this.reportStatus();
    const deadline = this.pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined)
      this.after(deadline * 1000, () => this.exceedDeadline());
    await this.prepareAndRun();
  }

  private async prepareAndRun(): Promise<void> {
    if (this.disposed || this.terminating || this.deadlineExceeded) return;
    let prepared: Array<{
      run: ContainerRun;
      argv: string[];
      env: Record<string, string>;
      cwd: string;
    }>;
    try {
      await this.fs.materialiseVolumes(this.pod, this.options.source);
      prepared = [];
      for (const [index, container] of (
        this.pod.spec.containers ?? []
      ).entries()) {
        prepared.push({
          run: this.containers[index],
          ...(await this.prepareContainer(container)),
        });
      }
    } catch (error) {
      if (!(error instanceof ContainerConfigError)) {
        // Anything else is not going to fix itself: the containers fail to start.
        this.finishUnstarted(
          `failed to prepare the pod: ${(error as Error).message}`,
        );
        return;
      }
      if (this.waitingMessage !== error.message) {
        this.waitingReason = 'CreateContainerConfigError';
        this.waitingMessage = error.message;
        this.reportStatus();
        void this.options.api.recordEvent(
          this.pod,
          'Warning',
          'Failed',
          `Error: ${error.message}`,
        );
      }
      this.after(
        this.options.configRetryMs,
        () => void this.prepareAndRun().catch(this.options.onError),
      );
      return;
    }
    if (this.disposed || this.terminating || this.deadlineExceeded) return;
    for (const { run, argv, env, cwd } of prepared)
      this.spawnContainer(run, argv, env, cwd);
    this.reportStatus();
  }

  private async prepareContainer(container: any) {
    const declared = await resolveContainerEnv(
      this.pod,
      container,
      this.options.source,
    );
    const pathPrefixes = [
      ...(container.volumeMounts ?? []).map((m: any) => m.mountPath),
      ...(container.workingDir ? [container.workingDir] : []),
    ];
    const mapped = Object.fromEntries(
      Object.entries(declared).map(([k, v]) => [
        k,
        this.fs.mapPath(v, pathPrefixes),
      ]),
    );
    this.fs.mount(container);
    // Only the pod's own command and args name container paths; the mapped entrypoint is a host command.
    const entrypoint = lookupImage(this.options.images, container.image ?? '');
    const own = [...(container.command ?? []), ...(container.args ?? [])].map(
      arg => this.fs.mapPath(expandReferences(arg, declared), pathPrefixes),
    );
    const argv = [...(entrypoint ?? []), ...own];
    const cwd = container.workingDir
      ? this.fs.hostPath(container.workingDir)
      : this.fs.root;
    const env = {
      ...this.options.hostEnv,
      HOSTNAME: this.pod.metadata.name,
      KUBE_SIM_ROOT: this.fs.root,
      // The logical path, so shells report the mapped working dir rather than where its symlink points.
      PWD: cwd,
      ...mapped,
    };
    return { argv, env, cwd };
  }

  private spawnContainer(
    run: ContainerRun,
    argv: string[],
    env: Record<string, string>,
    cwd: string,
  ): void {
    run.startedAt = timestamp();
    if (argv.length === 0) {
      this.finishContainer(
        run,
        128,
        undefined,
        `image "${run.image}" is not mapped to a local command and the container has no command`,
      );
      return;
    }
    void this.options.api.recordEvent(
      this.pod,
      'Normal',
      'Pulled',
      `Container image "${run.image}" already present on machine`,
    );
    // A process group per container, so signals reach the whole process tree like a container's PID namespace.
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    run.child = child;
    child.stdout!.on('data', chunk => run.log.write('stdout', chunk));
    child.stderr!.on('data', chunk => run.log.write('stderr', chunk));
    child.on('error', error =>
      this.finishContainer(run, 128, undefined, error.message),
    );
    child.on('exit', (code, signal) => {
      // When a container's main process exits, the rest of its processes go with it.
      this.signal(run, 'SIGKILL');
      run.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      run.signal = signal ?? undefined;
    });
    child.on('close', () =>
      this.finishContainer(run, run.exitCode ?? 0, run.signal),
    );
    if (child.pid !== undefined) {
      void this.options.api
        .recordEvent(
          this.pod,
          'Normal',
          'Created',
          `Created container ${run.name}`,
        )
        .then(() =>
          this.options.api.recordEvent(
            this.pod,
            'Normal',
            'Started',
            `Started container ${run.name}`,
          ),
        );
    }
  }

  private finishContainer(
    run: ContainerRun,
    exitCode: number,
    signal?: string,
    startError?: string,
  ): void {
    if (run.finishedAt) return;
    run.exitCode = exitCode;
    run.signal = signal;
    run.startError = startError;
    run.finishedAt = timestamp();
    run.log.close();
    this.reportStatus();
    if (this.terminating && this.allFinished()) {
      void this.statusChain
        .then(() => this.options.api.confirmDeletion(this.pod))
        .catch(this.options.onError);
    }
  }

  private allFinished(): boolean {
    return this.containers.every(c => c.finishedAt);
  }

  private signal(run: ContainerRun, signal: NodeJS.Signals): void {
    const pid = run.child?.pid;
    if (pid === undefined || run.finishedAt) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // The process group is already gone.
    }
  }

  /** SIGTERM every container, SIGKILL those still running when the grace period ends. */
  private stopContainers(graceSeconds: number): void {
    for (const run of this.containers) this.signal(run, 'SIGTERM');
    this.after(graceSeconds * 1000, () =>
      this.containers.forEach(run => this.signal(run, 'SIGKILL')),
    );
  }

  private exceedDeadline(): void {
    if (this.allFinished() || this.terminating) return;
    this.deadlineExceeded = true;
    void this.options.api.recordEvent(
      this.pod,
      'Normal',
      'DeadlineExceeded',
      DEADLINE_MESSAGE,
    );
    this.finishUnstarted(DEADLINE_MESSAGE);
    this.stopContainers(this.pod.spec.terminationGracePeriodSeconds ?? 30);
  }

  /** Containers that never started (still waiting for config) end without a process. */
  private finishUnstarted(why: string): void {
    for (const run of this.containers)
      if (!run.child && !run.finishedAt)
        this.finishContainer(run, 137, undefined, why);
  }

  /** The pod got a deletionTimestamp: stop its containers, then confirm the deletion. */
  terminate(pod: any): void {
    this.pod = pod;
    if (this.terminating) return;
    this.terminating = true;
    const alreadyFinished = this.allFinished();
    for (const run of this.containers.filter(c => c.child && !c.finishedAt)) {
      void this.options.api.recordEvent(
        pod,
        'Normal',
        'Killing',
        `Stopping container ${run.name}`,
      );
    }
    // Finishing the last container confirms the deletion (see finishContainer).
    this.finishUnstarted('pod deleted before the container started');
    if (alreadyFinished) {
      void this.statusChain
        .then(() => this.options.api.confirmDeletion(pod))
        .catch(this.options.onError);
      return;
    }
    this.stopContainers(
      pod.metadata.deletionGracePeriodSeconds ??
        pod.spec.terminationGracePeriodSeconds ??
        30,
    );
  }

  /** The pod is gone from the API (or the kubelet stops): kill everything and delete its files. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const run of this.containers) {
      this.signal(run, 'SIGKILL');
      run.log.close();
    }
    this.fs.remove();
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }

  private reportStatus(): void {
    if (this.disposed) return;
    const status = this.buildStatus();
    this.statusChain = this.statusChain
      .then(() =>
        this.disposed
          ? undefined
          : this.options.api.patchStatus(this.pod, status),
      )
      .catch(this.options.onError);
  }

  private phase(): string {
    const started = this.containers.some(c => c.startedAt);
    if (
      this.allFinished() &&
      (started || this.deadlineExceeded || this.terminating)
    ) {
      return !this.deadlineExceeded &&
        this.containers.every(c => c.exitCode === 0)
        ? 'Succeeded'
        : 'Failed';
    }
    return started ? 'Running' : 'Pending';
  }

  private condition(type: string, value: boolean) {
    const status = value ? 'True' : 'False';
    const previous = this.transitions.get(type);
    const time = previous?.status === status ? previous.time : timestamp();
    this.transitions.set(type, { status, time });
    return { type, status, lastProbeTime: null, lastTransitionTime: time };
  }

  private containerStatus(run: ContainerRun) {
    const containerID =
      run.child?.pid !== undefined ? `process://${run.child.pid}` : undefined;
    const base = {
      name: run.name,
      image: run.image,
      imageID: `kube-sim://${run.image}`,
      restartCount: 0,
      ...(containerID ? { containerID } : {}),
    };
    if (run.finishedAt) {
      let reason = run.exitCode === 0 ? 'Completed' : 'Error';
      if (run.startError && !run.child) reason = 'StartError';
      return {
        ...base,
        ready: false,
        started: false,
        state: {
          terminated: {
            exitCode: run.exitCode,
            ...(run.signal
              ? { signal: constants.signals[run.signal as NodeJS.Signals] }
              : {}),
            reason,
            ...(run.startError ? { message: run.startError } : {}),
            startedAt: run.startedAt ?? run.finishedAt,
            finishedAt: run.finishedAt,
            ...(containerID ? { containerID } : {}),
          },
        },
      };
    }
    if (run.startedAt)
      return {
        ...base,
        ready: true,
        started: true,
        state: { running: { startedAt: run.startedAt } },
      };
    return {
      ...base,
      ready: false,
      started: false,
      state: {
        waiting: {
          reason: this.waitingReason,
          ...(this.waitingMessage ? { message: this.waitingMessage } : {}),
        },
      },
    };
  }

  private buildStatus() {
    const phase = this.phase();
    const running = this.containers.every(c => c.startedAt && !c.finishedAt);
    const prepared = this.containers.some(c => c.startedAt);
    return {
      phase,
      ...(this.deadlineExceeded
        ? { reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE }
        : {}),
      conditions: [
        this.condition('PodReadyToStartContainers', prepared),
        this.condition('Initialized', true),
        this.condition('Ready', running),
        this.condition('ContainersReady', running),
        this.condition('PodScheduled', true),
      ],
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '127.0.0.1',
      podIPs: [{ ip: '127.0.0.1' }],
      startTime: this.startTime,
      containerStatuses: this.containers.map(c => this.containerStatus(c)),
    };
  }
}
