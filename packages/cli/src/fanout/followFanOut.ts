import {
  isTerminalStatus,
  type AgentsLogStreamEvent,
  type AgentsSession,
} from '@backstage-agents/plugin-agents-common';
import type { CommandEnv } from '../commands/types';
import { formatStatus } from '../format';
import {
  countTasks,
  formatCounts,
  readFanOut,
  type FanOutTask,
} from './fanOutTasks';
import { StatusLine } from './statusLine';

/** How a follow ended: every task finished (the latest fan-out and tasks), or Ctrl-C. */
export type FanOutFollowResult =
  | { detached: false; fanOut: AgentsSession; tasks: FanOutTask[] }
  | { detached: true };

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/**
 * Follows every task of a fan-out at once: each task's log through `followLogs` (which reconnects
 * with no gap or duplicate), its lines prefixed with the task (`[T005] …`); the fan-out itself is
 * polled for its waves (`wave 2 started: …`, `wave 1 merged into …`, a wave error). A summary of
 * the tasks' states stays on the terminal's last line (off a terminal: a line on each change).
 * With `--json`, every one of these is an NDJSON event instead.
 */
export async function followFanOut(
  { ctx, conn, out }: CommandEnv,
  fanOutId: string,
): Promise<FanOutFollowResult> {
  const first = await readFanOut(conn, fanOutId);
  let fanOut = first.fanOut;
  const tasks = first.tasks;
  const width = Math.max(...tasks.map(t => t.name.length), 0) + 2;
  const status = new StatusLine(ctx.stderr);
  const print = (text: string) => status.around(() => out.line(text));
  const progress = (text: string) => status.around(() => out.progress(text));
  const summarize = () => {
    if (!out.json)
      status.show(out.dim(`… ${formatCounts(countTasks(fanOut, tasks))}`));
  };
  const taskNames = (wave: number) =>
    tasks
      .filter(t => t.session.wave === wave)
      .map(t => t.name)
      .join(', ');

  const branch = fanOut.integrationBranch;
  let wave = fanOut.currentWave;
  let waveError = fanOut.waveError;
  if (wave !== undefined && !out.json)
    print(out.bold(`wave ${wave} running: ${taskNames(wave)}`));
  const onFanOut = (latest: AgentsSession) => {
    fanOut = latest;
    const next = latest.currentWave;
    if (wave !== undefined && next !== undefined && next > wave) {
      for (let w = wave; w < next; w++) {
        if (out.json)
          out.value({
            type: 'wave',
            wave: w,
            merged: true,
            integrationBranch: branch,
          });
        else print(out.bold(`wave ${w} merged into ${branch}`));
      }
      // Past the last wave (every wave merged) there is none to start.
      const started = taskNames(next);
      if (started && out.json)
        out.value({
          type: 'wave',
          wave: next,
          started: true,
          taskIds: started.split(', '),
        });
      else if (started) print(out.bold(`wave ${next} started: ${started}`));
      wave = next;
    }
    if (latest.waveError && latest.waveError !== waveError) {
      waveError = latest.waveError;
      if (out.json)
        out.value({ type: 'waveError', wave: latest.currentWave, waveError });
      else print(out.red(`wave ${latest.currentWave} stopped: ${waveError}`));
    }
  };

  const update = (task: FanOutTask, next: AgentsSession['status']) => {
    if (task.session.status === next) return;
    task.session = { ...task.session, status: next };
    if (out.json) {
      out.value({
        type: 'status',
        taskId: task.name,
        sessionId: task.session.id,
        status: next,
      });
    } else {
      progress(`[${task.name}] … ${formatStatus(out, next)}`);
    }
    summarize();
  };

  const onEvent = (task: FanOutTask, event: AgentsLogStreamEvent) => {
    if (event.type === 'log') {
      if (out.json) {
        out.value({
          type: 'log',
          taskId: task.name,
          sessionId: task.session.id,
          line: event.line,
        });
      } else {
        print(`${out.cyan(`[${task.name}]`.padEnd(width))} ${event.line.line}`);
      }
    } else {
      update(task, event.status);
    }
  };

  const followTask = async (task: FanOutTask) => {
    for await (const event of conn.client.followLogs(task.session.id, {
      ...conn.auth,
      after: 0,
      signal: ctx.signal,
      retryDelayMs: ctx.retryDelayMs,
    })) {
      onEvent(task, event);
      if (event.type === 'end') return;
    }
  };

  summarize();
  let finished = false;
  const followers = Promise.all(tasks.map(followTask)).finally(() => {
    finished = true;
  });
  // The fan-out's waves (and the tasks' pull requests) are not in the logs: poll them.
  const stop = new AbortController();
  ctx.signal?.addEventListener('abort', () => stop.abort());
  const poll = async () => {
    while (!finished && !stop.signal.aborted) {
      await sleep(ctx.pollMs ?? 2000, stop.signal);
      if (finished || stop.signal.aborted) return;
      let latest: Awaited<ReturnType<typeof readFanOut>>;
      try {
        latest = await readFanOut(conn, fanOutId);
      } catch {
        continue; // A blip of the backend: the next poll tries again.
      }
      onFanOut(latest.fanOut);
      for (const task of tasks) {
        const fresh = latest.tasks.find(t => t.session.id === task.session.id);
        if (!fresh) continue;
        const previous = task.session.status;
        task.session = { ...fresh.session, status: previous };
        update(task, fresh.session.status);
      }
    }
  };
  const polling = poll();
  try {
    await followers;
  } finally {
    stop.abort();
    await polling.catch(() => undefined);
    status.end();
  }
  if (
    ctx.signal?.aborted &&
    tasks.some(t => !isTerminalStatus(t.session.status))
  ) {
    return { detached: true };
  }
  let latest = await readFanOut(conn, fanOutId);
  onFanOut(latest.fanOut);
  // The tasks have all finished; the backend merges the last wave right after. Wait for it, so the
  // summary's integration branch holds every task's work.
  if (awaitsLastMerge(latest.fanOut, latest.tasks)) {
    progress(`… merging the last wave into ${branch}`);
    while (awaitsLastMerge(latest.fanOut, latest.tasks) && !ctx.signal?.aborted) {
      await sleep(ctx.pollMs ?? 2000, ctx.signal);
      try {
        latest = await readFanOut(conn, fanOutId);
      } catch {
        continue; // A blip of the backend: the next poll tries again.
      }
      onFanOut(latest.fanOut);
    }
    if (ctx.signal?.aborted) return { detached: true };
  }
  return { detached: false, fanOut: latest.fanOut, tasks: latest.tasks };
}

/** A fan-out in waves whose tasks all succeeded, and whose last wave is not merged yet. */
function awaitsLastMerge(fanOut: AgentsSession, tasks: FanOutTask[]): boolean {
  if (!fanOut.integrationBranch || fanOut.currentWave === undefined || fanOut.waveError) return false;
  if (!tasks.every(t => t.session.status === 'succeeded')) return false;
  const last = Math.max(...tasks.map(t => t.session.wave ?? 0));
  return fanOut.currentWave <= last;
}
