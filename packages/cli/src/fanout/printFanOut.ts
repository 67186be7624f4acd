import type { AgentsSession } from '@backstage-agents/plugin-agents-common';
import { formatStatus } from '../format';
import type { Output } from '../output';
import { countTasks, formatCounts, type FanOutTask } from './fanOutTasks';

/** The summary of a fan-out: each task's status, branch and pull request, its integration branch and wave error. */
export function printFanOutSummary(
  out: Output,
  fanOut: AgentsSession,
  tasks: FanOutTask[],
): void {
  const counts = countTasks(fanOut, tasks);
  if (out.json) {
    out.value({
      type: 'summary',
      fanOutId: fanOut.id,
      status: fanOut.status,
      counts,
      ...(fanOut.integrationBranch
        ? { integrationBranch: fanOut.integrationBranch }
        : {}),
      ...(fanOut.waveError ? { waveError: fanOut.waveError } : {}),
      tasks: tasks.map(({ name, session }) => ({
        taskId: name,
        sessionId: session.id,
        status: session.status,
        ...(session.wave !== undefined ? { wave: session.wave } : {}),
        workBranch: session.workBranch,
        ...(session.prUrl ? { prUrl: session.prUrl } : {}),
      })),
    });
    return;
  }
  const width = Math.max(...tasks.map(t => t.name.length), 4);
  const statusWidth = Math.max(...tasks.map(t => t.session.status.length), 6);
  out.line();
  out.line(
    `${out.bold(`Fan-out ${fanOut.id}`)} ${formatStatus(
      out,
      fanOut.status,
    )}: ${formatCounts(counts)}`,
  );
  for (const { name, session } of tasks) {
    const wave = session.wave !== undefined ? `wave ${session.wave}  ` : '';
    const status =
      formatStatus(out, session.status) +
      ' '.repeat(statusWidth - session.status.length);
    out.line(
      `  ${name.padEnd(width)}  ${wave}${status}  ${session.workBranch}${
        session.prUrl ? `  ${session.prUrl}` : ''
      }`,
    );
  }
  if (fanOut.integrationBranch)
    out.line(`Integration branch: ${fanOut.integrationBranch}`);
  if (fanOut.waveError) out.line(out.red(`Wave error: ${fanOut.waveError}`));
}
