import { TestDatabases } from '@backstage/backend-test-utils';
import type { AgentsSession } from '@backstage-agents/plugin-agents-common';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRealBackend, type RealBackend } from './__testUtils__/realBackend';
import { runCli } from './__testUtils__/runCli';

jest.setTimeout(120_000);

const FIXTURE = path.resolve(
  __dirname,
  '../../../plugins/agents-common/src/speckit/__fixtures__/waves-tasks.md',
);

/**
 * `implement` from a local checkout against the real backend: a realistic tasks.md (three phases,
 * [SYNC] and [ASYNC] tasks, done tasks, "depends on", a fenced example) becomes a fan-out whose
 * tasks run as pods in waves, each starting from the integration branch with the earlier waves'
 * commits merged in.
 */
describe('backstage-agents implement against the real backend', () => {
  const databases = TestDatabases.create({
    ids: ['POSTGRES_15'],
    disableDocker: true,
  });
  let backend: RealBackend;
  let checkout: string;

  beforeAll(async () => {
    backend = await startRealBackend({ databases, repos: ['refunds'] });
    // A developer's clone, whose origin is the repository the catalog names for the component.
    checkout = fs.mkdtempSync(path.join(os.tmpdir(), 'implement-checkout-'));
    execFileSync('git', ['clone', '-q', backend.bareRepoPath('refunds'), checkout]);
    execFileSync('git', [
      '-C',
      checkout,
      'remote',
      'set-url',
      'origin',
      'git@github.com:example-org/refunds.git',
    ]);
    const feature = path.join(checkout, 'specs/002-refunds');
    fs.mkdirSync(feature, { recursive: true });
    fs.copyFileSync(FIXTURE, path.join(feature, 'tasks.md'));
    fs.writeFileSync(path.join(feature, 'spec.md'), '# Refunds\n\nA payment can be refunded.\n');
  });
  afterAll(async () => {
    await backend?.stop();
    if (checkout) fs.rmSync(checkout, { recursive: true, force: true });
  });

  const git = (...args: string[]) =>
    execFileSync('git', ['-C', backend.bareRepoPath('refunds'), ...args], {
      encoding: 'utf8',
    }).trim();
  const isAncestor = (ancestor: string, of: string) => {
    try {
      git('merge-base', '--is-ancestor', ancestor, of);
      return true;
    } catch {
      return false;
    }
  };

  it('starts exactly the open [ASYNC] tasks that may run, wave after wave, each from the earlier waves’ work', async () => {
    const { code, stdout, stderr } = await runCli(
      [
        'implement',
        path.join(checkout, 'specs/002-refunds/tasks.md'),
        '--entity',
        backend.entityRef('refunds'),
        '--json',
      ],
      { url: backend.url, token: backend.token },
    );
    expect({ code, stderr: stderr.replace(/^.*\r/gm, '') }).toMatchObject({ code: 0 });
    const events = stdout
      .split('\n')
      .filter(Boolean)
      .map(line => JSON.parse(line));

    // The plan: T008 waits for the human's T007 and T009's phase comes after it; T011 is an example.
    const plan = events.find(e => e.type === 'fanout');
    expect(plan.waves.map((w: { taskIds: string[] }) => w.taskIds)).toEqual([
      ['T002', 'T003'],
      ['T004', 'T006'],
      ['T005'],
    ]);
    expect(plan.blocked.map((b: { taskId: string }) => b.taskId).sort()).toEqual(['T008', 'T009']);

    const fanOutId: string = plan.session.id;
    const res = await fetch(
      `${backend.url}/api/agents/sessions?parentSessionId=${fanOutId}&limit=50`,
      { headers: { Authorization: `Bearer ${backend.token}` } },
    );
    const tasks = (await res.json()).items as AgentsSession[];
    const byTask = new Map(tasks.map(t => [t.origin.taskId!, t]));
    expect([...byTask.keys()].sort()).toEqual(['T002', 'T003', 'T004', 'T005', 'T006']);
    const integrationBranch = 'specs/002-refunds/integration';
    for (const task of tasks) {
      expect(task).toMatchObject({ status: 'succeeded', baseBranch: integrationBranch });
      expect(task.headCommit).toBeTruthy();
    }
    const waveOf = (id: string) => byTask.get(id)!.wave!;
    expect(['T002', 'T003', 'T004', 'T006', 'T005'].map(waveOf)).toEqual([1, 1, 2, 2, 3]);

    // Each wave started after the one before had finished, from a base holding its commits.
    for (const later of tasks) {
      for (const earlier of tasks.filter(t => t.wave! < later.wave!)) {
        expect(Date.parse(later.startedAt!)).toBeGreaterThanOrEqual(Date.parse(earlier.finishedAt!));
        expect(isAncestor(earlier.headCommit!, later.headCommit!)).toBe(true);
      }
      // Tasks of one wave do not see each other's work.
      for (const peer of tasks.filter(t => t.wave === later.wave && t.id !== later.id)) {
        expect(isAncestor(peer.headCommit!, later.headCommit!)).toBe(false);
      }
    }
    // Every wave is merged into the integration branch.
    for (const task of tasks) expect(isAncestor(task.headCommit!, integrationBranch)).toBe(true);

    // The log lines came interleaved, each with its task, and the summary says all succeeded.
    const logTasks = new Set(events.filter(e => e.type === 'log').map(e => e.taskId));
    expect([...logTasks].sort()).toEqual(['T002', 'T003', 'T004', 'T005', 'T006']);
    expect(events.at(-1)).toMatchObject({
      type: 'summary',
      status: 'succeeded',
      integrationBranch,
    });
  });
});
